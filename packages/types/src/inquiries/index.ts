// The inquiries service's contracts (apps/inquiries): none yet; its modules add theirs here,
// one file per module, each re-exported below.
export {};
