/** MQTT topic filters in the renderer (the live log filter): the common rules, so it shows what the store's query does. */
export { topicFilterError, compileTopicFilter as topicMatcher } from '../../../electron/common/topic-filter';

/** Splits a Beebotte topic into channel and resource; null when it is not exactly two levels. */
export function splitBeebotte(topic: string): { channel: string; resource: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { channel: parts[0], resource: parts[1] };
}
