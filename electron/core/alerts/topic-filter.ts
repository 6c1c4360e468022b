/** Alert rules use the common MQTT topic-filter rules: validated at save, compiled once for the hot path. */
export {
  compileTopicFilter,
  topicFilterError as validateTopicFilter,
  type TopicMatcher,
} from '../../common/topic-filter.js';
