import { serveSweepJobs } from "./serve-jobs"

// The sweep worker thread's module when kubesim runs from its TypeScript sources (tsx): serve jobs at once.
serveSweepJobs()
