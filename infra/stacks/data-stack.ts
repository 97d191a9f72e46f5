/**
 * The DynamoDB tables of the topology: on demand, point-in-time recovery, encrypted with the
 * AWS managed key, TTL where records expire, names `sluice-<stage>-<table>` (the ops CLI and
 * the functions derive them from the stage). The catalog table belongs to the catalog
 * service: imported by name, or created for a demo stage.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLES, type TableKey } from '../../functions/topology/topology';
import type { StageConfig } from '../config/schema';
import { dataRemovalPolicy, namer } from './stack-helpers';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

/** The physical name of the catalog table: configured when imported, else the stage's. */
export function catalogTableName(config: StageConfig): string {
  return config.catalogTable.name || namer(config)(TABLES.catalog.name);
}

export class DataStack extends Stack {
  readonly tables = new Map<TableKey, ITable>();

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = namer(config);
    const retain = config.removalPolicy === 'retain';
    for (const key of Object.keys(TABLES) as TableKey[]) {
      const spec = TABLES[key];
      if (key === 'catalog' && config.catalogTable.mode === 'import') {
        this.tables.set(key, Table.fromTableName(this, 'Catalog', catalogTableName(config)));
        continue;
      }
      const table = new Table(this, `Table-${key}`, {
        tableName: key === 'catalog' ? catalogTableName(config) : name(spec.name),
        partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        deletionProtection: retain,
        removalPolicy: dataRemovalPolicy(config),
        ...('ttl' in spec ? { timeToLiveAttribute: spec.ttl } : {}),
      });
      for (const index of 'indexes' in spec ? spec.indexes : []) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        });
      }
      this.tables.set(key, table);
    }
  }
}
