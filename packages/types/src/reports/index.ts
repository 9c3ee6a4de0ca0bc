// Reports (apps/worker owns the `reports` schema and the reports API): what a run is asked
// for, the run as the API shows it, and the job that builds it.
export * from './request';
export * from './run';
