/** The alert messages and fired alerts are part of the contract (api/alerts.ts); the core uses them as they are. */
export type { AlertMessage, FiredAlert } from '../../api/alerts.js';
