/**
 * The MetricsConfig of Sluice's event source mappings (`eventSourceMetrics`). SQS mappings
 * offer event counts only; Kafka mappings add error counts and consumer offset lag
 * (Lambda API reference, EventSourceMappingMetricsConfig).
 */
import { type MetricsConfig, MetricType } from 'aws-cdk-lib/aws-lambda';

/** EventCount: polled, invoked, failed-invoke, dropped … events per mapping. */
export const SQS_MAPPING_METRICS: MetricsConfig = { metrics: [MetricType.EVENT_COUNT] };

/** EventCount, ErrorCount and KafkaMetrics (MaxOffsetLag, SumOffsetLag). */
export const KAFKA_MAPPING_METRICS: MetricsConfig = {
  metrics: [MetricType.EVENT_COUNT, MetricType.ERROR_COUNT, MetricType.KAFKA_METRICS],
};
