// Reports (apps/worker owns the `reports` schema and the reports API): what a run is asked for.
export * from './request';
