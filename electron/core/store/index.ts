/** store/: the app's SQLite database — migrations, message log, outbox (and its dead letters), settings, export. */
export { openDatabase, StoreOpenError } from './database.js';
export { migrations, type Migration } from './migrations.js';
export { MessageLog, DEFAULT_LOG_BUDGET, type LogBudget, type NewMessage, type StoredMessage } from './message-log.js';
export { InvalidQueryError, DEFAULT_PAGE, MAX_PAGE, type LogQuery } from './log-query.js';
export { topicMatches, topicFilterError, filterToGlob } from './topic-filter.js';
export { toMessageDTO, toFullMessageDTO, payloadText, fullEnvelope } from './message-dto.js';
export {
  Outbox,
  OutboxFullError,
  DEFAULT_OUTBOX_LIMITS,
  type OutboxLimits,
  type OutboxInput,
  type OutboxItem,
} from './outbox.js';
export { DeadLetters, type DeadLetter } from './dead-letters.js';
export { exportMessages, CSV_COLUMNS, type ExportFormat, type ExportOptions, type ExportResult } from './export.js';
export { csvField, csvRecord, parseCsv } from './csv.js';
export { Settings } from './settings.js';
export { OffThreadWriter } from './off-thread-writer.js';
