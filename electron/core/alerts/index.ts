/** alerts/: notification rules (schema, safe evaluation, engine), their SQLite store, and the tray model. */
export { AlertEngine, type AlertEngineOptions, type AlertStats } from './engine.js';
export { AlertStore, HISTORY_LIMIT, type StoredAlert } from './store.js';
export {
  Condition,
  CompareOp,
  QuietHours,
  RuleError,
  RuleInput,
  parseRule,
  withId,
  type ConditionKind,
  type Rule,
  type RuleIssue,
} from './rule.js';
export { testRule, alertMessageFromDTO, MAX_TEST_MESSAGES, type RuleTestHit } from './test-rule.js';
export {
  computeTrayModel,
  pauseUntil,
  MAX_TRAY_ALERTS,
  type PauseKind,
  type TrayAlertEntry,
  type TrayConnection,
  type TrayIcon,
  type TrayInput,
  type TrayModel,
  type TrayOverall,
  type TrayProfileEntry,
} from './tray-model.js';
export { renderTemplate, formatValue, type TemplateVars } from './template.js';
export { inQuietHours } from './quiet-hours.js';
export { compileTopicFilter, validateTopicFilter } from './topic-filter.js';
export { parsePath, readPath } from '../../common/json-path.js';
export { compileSafeRegex, MAX_MATCH_TEXT } from '../../common/safe-regex.js';
export type { AlertMessage, FiredAlert } from './types.js';
