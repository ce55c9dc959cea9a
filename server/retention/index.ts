// Retention of recordings and personal data (see job.ts).
export { runRetention, startRetention } from './job.js';
export type { RetentionOptions, RetentionResult } from './job.js';
