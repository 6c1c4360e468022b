/** What the ingest path hands the alert engine: one decoded message. */
export interface AlertMessage {
  /** the stored message id, when the store has assigned one (click → open the message) */
  id?: number;
  profileId: string;
  topic: string;
  /** ms since epoch */
  receivedAt: number;
  /** UTF-8 text of the payload; null for binary */
  text: string | null;
  /** the parsed JSON payload (whole, e.g. {"data": …}); undefined when not JSON */
  json: unknown;
}

/** A notification to show (and to keep in history). */
export interface FiredAlert {
  id: string;
  ruleId: string;
  ruleName: string;
  /** null for a summary, or a silence alert of an all-profiles rule before any message matched it */
  profileId: string | null;
  /** the message topic; for silence, the silent topic (the rule's filter if none matched yet); for summaries, the filter */
  topic: string;
  messageId?: number;
  title: string;
  body: string;
  /** ms since epoch */
  at: number;
  /** flood control: this alert stands for `count` alerts that were not shown */
  summary?: { count: number; filter: string };
}
