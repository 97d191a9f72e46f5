/**
 * Observability: the ops topic (encrypted with a key CloudWatch may use, HTTPS only, an
 * optional e-mail subscription), the alarms and the dashboard. Built from names and the
 * topology module only, so it deploys independently of the pipeline's resources.
 */
import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { SluiceAlarms } from '../observability/alarms';
import { sluiceDashboard } from '../observability/dashboard';
import { dataRemovalPolicy, namer } from './stack-helpers';

export interface ObservabilityStackProps extends StackProps {
  readonly config: StageConfig;
  readonly hasKafka: boolean;
}

export class ObservabilityStack extends Stack {
  readonly topic: Topic;
  readonly alarms: SluiceAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = namer(config);
    // CloudWatch cannot publish to a topic under the AWS managed SNS key: a key of our own.
    const key = new Key(this, 'OpsTopicKey', {
      description: `Sluice ${config.stage} ops topic`,
      enableKeyRotation: true,
      removalPolicy: dataRemovalPolicy(config),
    });
    // Only for alarms of this account (the confused-deputy guard of CloudWatch's grant).
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.topic = new Topic(this, 'OpsTopic', {
      topicName: name('ops'),
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarms.email) this.topic.addSubscription(new EmailSubscription(config.alarms.email));
    this.alarms = new SluiceAlarms(this, 'Alarms', {
      config,
      topic: this.topic,
      hasKafka: props.hasKafka,
    });
    sluiceDashboard(this, config.stage, props.hasKafka);
    new CfnOutput(this, 'OpsTopicArn', { value: this.topic.topicArn });
  }
}
