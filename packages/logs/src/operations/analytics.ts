/**
 * Logs analytics resources, recorded with AWS's shapes: anomaly detectors (no anomaly is ever
 * detected here), lookup tables (CSV bodies parsed for their fields and row counts), scheduled
 * queries (recorded, not run), OpenSearch integrations and CloudTrail Lake imports and S3 Tables
 * sources (Dockside hosts neither service, so they report FAILED with that reason), and log objects
 * read back from Insights `@ptr` pointers.
 */
import { randomUUID } from 'node:crypto';
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { clone, ServiceError, eventStream, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import type { ArnRecord, LogsState } from '../state/types';
import { conflict, family, logsArn, notFound, pageOf, view } from './records';

const SCHEDULE = /^(cron|rate)\(.+\)$/;
const FREQUENCIES = ['ONE_MIN', 'FIVE_MIN', 'TEN_MIN', 'FIFTEEN_MIN', 'THIRTY_MIN', 'ONE_HOUR'];

function tableShape(body: string): Record<string, unknown> {
  const lines = body.split(/\r?\n/).filter((l) => l.length);
  if (!lines.length) throw invalid('The lookup table body must have a header row.');
  return {
    tableFields: lines[0].split(',').map((f) => f.trim()),
    recordsCount: lines.length - 1,
    sizeBytes: Buffer.byteLength(body),
  };
}

export function analyticsOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  const detectors = (ctx: RequestContext) => family(stateOf(ctx), 'anomalyDetectors');
  const tables = (ctx: RequestContext) => family(stateOf(ctx), 'lookupTables');
  const scheduled = (ctx: RequestContext) => family(stateOf(ctx), 'scheduledQueries');
  const integrations = (ctx: RequestContext) => family(stateOf(ctx), 'integrations');
  const imports = (ctx: RequestContext) => family(stateOf(ctx), 'imports');
  const s3Sources = (ctx: RequestContext) => family(stateOf(ctx), 's3TableSources');
  const detector = (ctx: RequestContext, arn: string) => {
    const r = detectors(ctx)[arn];
    if (!r) throw notFound(`Anomaly detector ${arn} does not exist.`);
    return r;
  };
  const table = (ctx: RequestContext, arn: string) => {
    const r = tables(ctx)[arn];
    if (!r) throw notFound(`Lookup table ${arn} does not exist.`);
    return r;
  };
  const scheduledQuery = (ctx: RequestContext, id: string) => {
    const r = Object.values(scheduled(ctx)).find((q) => q.arn === id || q.fields.name === id);
    if (!r) throw notFound(`Scheduled query ${id} does not exist.`);
    return r;
  };
  const detectorSettings = (
    r: ArnRecord,
    input: { evaluationFrequency?: string; filterPattern?: string; anomalyVisibilityTime?: number },
  ) => {
    if (input.evaluationFrequency !== undefined) {
      if (!FREQUENCIES.includes(input.evaluationFrequency))
        throw invalid(`Invalid evaluationFrequency: ${input.evaluationFrequency}`);
      r.fields.evaluationFrequency = input.evaluationFrequency;
    }
    if (input.filterPattern !== undefined) r.fields.filterPattern = input.filterPattern;
    if (input.anomalyVisibilityTime !== undefined) {
      if (input.anomalyVisibilityTime < 7 || input.anomalyVisibilityTime > 90)
        throw invalid('anomalyVisibilityTime must be between 7 and 90 days.');
      r.fields.anomalyVisibilityTime = input.anomalyVisibilityTime;
    }
    r.fields.lastModifiedTimeStamp = Date.now();
  };
  const scheduleSettings = (r: ArnRecord, input: CWL.CreateScheduledQueryRequest | CWL.UpdateScheduledQueryRequest) => {
    if (!SCHEDULE.test(input.scheduleExpression!))
      throw invalid(`Invalid schedule expression: ${input.scheduleExpression}`);
    const {
      identifier: _id,
      name: _name,
      tags: _tags,
      ...rest
    } = input as CWL.CreateScheduledQueryRequest & {
      identifier?: string;
    };
    Object.assign(r.fields, clone(rest), { state: input.state ?? r.fields.state ?? 'ENABLED' });
    r.fields.lastUpdatedTime = Date.now();
  };
  return {
    CreateLogAnomalyDetector(input: CWL.CreateLogAnomalyDetectorRequest, ctx): CWL.CreateLogAnomalyDetectorResponse {
      const s = stateOf(ctx);
      for (const arn of input.logGroupArnList ?? []) {
        const name = arn.replace(/:\*$/, '').split(':log-group:')[1];
        if (!name || !s.groups[name]) throw notFound(`The specified log group does not exist: ${arn}`);
      }
      const arn = logsArn(ctx, `anomaly-detector:${randomUUID()}`);
      const now = Date.now();
      const r: ArnRecord = {
        arn,
        tags: { ...(input.tags ?? {}) },
        fields: {
          anomalyDetectorArn: arn,
          ...(input.detectorName ? { detectorName: input.detectorName } : {}),
          logGroupArnList: [...(input.logGroupArnList ?? [])],
          evaluationFrequency: 'FIVE_MIN',
          anomalyDetectorStatus: 'INITIALIZING',
          ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
          creationTimeStamp: now,
          anomalyVisibilityTime: 21,
        },
      };
      detectorSettings(r, input);
      detectors(ctx)[arn] = r;
      return { anomalyDetectorArn: arn };
    },
    GetLogAnomalyDetector(input: CWL.GetLogAnomalyDetectorRequest, ctx): CWL.GetLogAnomalyDetectorResponse {
      const { anomalyDetectorArn: _arn, ...rest } = view(detector(ctx, input.anomalyDetectorArn!));
      return rest as CWL.GetLogAnomalyDetectorResponse;
    },
    ListLogAnomalyDetectors(input: CWL.ListLogAnomalyDetectorsRequest, ctx): CWL.ListLogAnomalyDetectorsResponse {
      const all = Object.values(detectors(ctx)).filter(
        (d) => !input.filterLogGroupArn || (d.fields.logGroupArnList as string[]).includes(input.filterLogGroupArn),
      );
      const { page, next } = pageOf(all, (d) => d.arn, input);
      return { anomalyDetectors: page.map((d) => view(d) as CWL.AnomalyDetector), ...next };
    },
    UpdateLogAnomalyDetector(input: CWL.UpdateLogAnomalyDetectorRequest, ctx): void {
      const r = detector(ctx, input.anomalyDetectorArn!);
      detectorSettings(r, input);
      r.fields.anomalyDetectorStatus = input.enabled ? 'ANALYZING' : 'PAUSED';
    },
    DeleteLogAnomalyDetector(input: CWL.DeleteLogAnomalyDetectorRequest, ctx): void {
      detector(ctx, input.anomalyDetectorArn!);
      delete detectors(ctx)[input.anomalyDetectorArn!];
    },
    ListAnomalies(input: CWL.ListAnomaliesRequest, ctx): CWL.ListAnomaliesResponse {
      if (input.anomalyDetectorArn) detector(ctx, input.anomalyDetectorArn);
      return { anomalies: [] };
    },
    UpdateAnomaly(input: CWL.UpdateAnomalyRequest, ctx): void {
      detector(ctx, input.anomalyDetectorArn!);
      if (!input.anomalyId && !input.patternId) throw invalid('Specify anomalyId or patternId.');
      throw notFound(`Anomaly ${input.anomalyId ?? input.patternId} does not exist.`);
    },

    CreateLookupTable(input: CWL.CreateLookupTableRequest, ctx): CWL.CreateLookupTableResponse {
      const arn = logsArn(ctx, `lookup-table:${input.lookupTableName}`);
      if (tables(ctx)[arn]) throw conflict(`Lookup table ${input.lookupTableName} already exists.`);
      const now = Date.now();
      tables(ctx)[arn] = {
        arn,
        tags: { ...(input.tags ?? {}) },
        fields: {
          lookupTableArn: arn,
          lookupTableName: input.lookupTableName,
          ...(input.description ? { description: input.description } : {}),
          tableBody: input.tableBody ?? '',
          ...tableShape(input.tableBody ?? ''),
          lastUpdatedTime: now,
          ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
        },
      };
      return { lookupTableArn: arn, createdAt: now };
    },
    GetLookupTable(input: CWL.GetLookupTableRequest, ctx): CWL.GetLookupTableResponse {
      const { tableFields: _f, recordsCount: _c, ...rest } = view(table(ctx, input.lookupTableArn!));
      return rest as CWL.GetLookupTableResponse;
    },
    DescribeLookupTables(input: CWL.DescribeLookupTablesRequest, ctx): CWL.DescribeLookupTablesResponse {
      const all = Object.values(tables(ctx)).filter(
        (t) => !input.lookupTableNamePrefix || String(t.fields.lookupTableName).startsWith(input.lookupTableNamePrefix),
      );
      const { page, next } = pageOf(all, (t) => t.arn, input);
      return {
        lookupTables: page.map((t) => {
          const { tableBody: _b, ...rest } = view(t);
          return rest as CWL.LookupTable;
        }),
        ...next,
      };
    },
    UpdateLookupTable(input: CWL.UpdateLookupTableRequest, ctx): CWL.UpdateLookupTableResponse {
      const t = table(ctx, input.lookupTableArn!);
      if (input.tableBody !== undefined)
        Object.assign(t.fields, { tableBody: input.tableBody }, tableShape(input.tableBody));
      if (input.description !== undefined) t.fields.description = input.description;
      if (input.kmsKeyId !== undefined) t.fields.kmsKeyId = input.kmsKeyId;
      t.fields.lastUpdatedTime = Date.now();
      return { lookupTableArn: t.arn, lastUpdatedTime: t.fields.lastUpdatedTime as number };
    },
    DeleteLookupTable(input: CWL.DeleteLookupTableRequest, ctx): void {
      table(ctx, input.lookupTableArn!);
      delete tables(ctx)[input.lookupTableArn!];
    },

    CreateScheduledQuery(input: CWL.CreateScheduledQueryRequest, ctx): CWL.CreateScheduledQueryResponse {
      const arn = logsArn(ctx, `scheduled-query:${input.name}`);
      if (scheduled(ctx)[arn]) throw conflict(`Scheduled query ${input.name} already exists.`);
      const now = Date.now();
      const r: ArnRecord = {
        arn,
        tags: { ...(input.tags ?? {}) },
        fields: { scheduledQueryArn: arn, name: input.name, scheduleType: 'CUSTOMER_MANAGED', creationTime: now },
      };
      scheduleSettings(r, input);
      scheduled(ctx)[arn] = r;
      return { scheduledQueryArn: arn, state: r.fields.state as CWL.ScheduledQueryState };
    },
    GetScheduledQuery(input: CWL.GetScheduledQueryRequest, ctx): CWL.GetScheduledQueryResponse {
      return view(scheduledQuery(ctx, input.identifier!)) as CWL.GetScheduledQueryResponse;
    },
    ListScheduledQueries(input: CWL.ListScheduledQueriesRequest, ctx): CWL.ListScheduledQueriesResponse {
      const all = Object.values(scheduled(ctx)).filter(
        (q) =>
          (!input.state || q.fields.state === input.state) &&
          (!input.scheduleType || q.fields.scheduleType === input.scheduleType),
      );
      const { page, next } = pageOf(all, (q) => q.arn, input);
      const summary = (q: ArnRecord): CWL.ScheduledQuerySummary => {
        const f = view(q);
        return Object.fromEntries(
          [
            'scheduledQueryArn',
            'name',
            'state',
            'scheduleType',
            'scheduleExpression',
            'timezone',
            'destinationConfiguration',
            'creationTime',
            'lastUpdatedTime',
          ]
            .filter((k) => f[k] !== undefined)
            .map((k) => [k, f[k]]),
        );
      };
      return { scheduledQueries: page.map(summary), ...next };
    },
    UpdateScheduledQuery(input: CWL.UpdateScheduledQueryRequest, ctx): CWL.UpdateScheduledQueryResponse {
      const r = scheduledQuery(ctx, input.identifier!);
      scheduleSettings(r, input);
      return view(r) as CWL.UpdateScheduledQueryResponse;
    },
    DeleteScheduledQuery(input: CWL.DeleteScheduledQueryRequest, ctx): CWL.DeleteScheduledQueryResponse {
      const r = scheduledQuery(ctx, input.identifier!);
      delete scheduled(ctx)[r.arn];
      return {};
    },
    GetScheduledQueryHistory(input: CWL.GetScheduledQueryHistoryRequest, ctx): CWL.GetScheduledQueryHistoryResponse {
      const r = scheduledQuery(ctx, input.identifier!);
      if (input.endTime! < input.startTime!) throw invalid('endTime must be greater than or equal to startTime.');
      return { name: r.fields.name as string, scheduledQueryArn: r.arn, triggerHistory: [] };
    },

    PutIntegration(input: CWL.PutIntegrationRequest, ctx): CWL.PutIntegrationResponse {
      if (input.integrationType !== 'OPENSEARCH') throw invalid(`Invalid integrationType: ${input.integrationType}`);
      const name = input.integrationName!;
      integrations(ctx)[name] = {
        arn: logsArn(ctx, `integration:${name}`),
        tags: {},
        fields: {
          integrationName: name,
          integrationType: input.integrationType,
          integrationStatus: 'FAILED',
          resourceConfig: clone(input.resourceConfig),
        },
      };
      return { integrationName: name, integrationStatus: 'FAILED' };
    },
    GetIntegration(input: CWL.GetIntegrationRequest, ctx): CWL.GetIntegrationResponse {
      const r = integrations(ctx)[input.integrationName!];
      if (!r) throw notFound(`Integration ${input.integrationName} does not exist.`);
      const { resourceConfig: _c, ...rest } = view(r);
      return {
        ...rest,
        integrationDetails: {
          openSearchIntegrationDetails: {
            dataSource: {
              dataSourceName: r.fields.integrationName as string,
              status: { status: 'ERROR', statusMessage: 'Dockside does not host OpenSearch Service.' },
            },
          },
        },
      } as CWL.GetIntegrationResponse;
    },
    ListIntegrations(input: CWL.ListIntegrationsRequest, ctx): CWL.ListIntegrationsResponse {
      const all = Object.values(integrations(ctx))
        .map((r) => view(r))
        .filter(
          (f) =>
            (!input.integrationNamePrefix || String(f.integrationName).startsWith(input.integrationNamePrefix)) &&
            (!input.integrationType || f.integrationType === input.integrationType) &&
            (!input.integrationStatus || f.integrationStatus === input.integrationStatus),
        );
      return {
        integrationSummaries: all.map((f) => ({
          integrationName: f.integrationName as string,
          integrationType: f.integrationType as CWL.IntegrationType,
          integrationStatus: f.integrationStatus as CWL.IntegrationStatus,
        })),
      };
    },
    DeleteIntegration(input: CWL.DeleteIntegrationRequest, ctx): CWL.DeleteIntegrationResponse {
      if (!integrations(ctx)[input.integrationName!])
        throw notFound(`Integration ${input.integrationName} does not exist.`);
      delete integrations(ctx)[input.integrationName!];
      return {};
    },

    CreateImportTask(input: CWL.CreateImportTaskRequest, ctx): CWL.CreateImportTaskResponse {
      if (!/^arn:aws[\w-]*:cloudtrail:/.test(input.importSourceArn!))
        throw invalid('importSourceArn must be a CloudTrail Lake event data store ARN.');
      const id = randomUUID();
      const now = Date.now();
      const destination = logsArn(ctx, `log-group:aws/cloudtrail/${input.importSourceArn!.split('/').pop()}`);
      imports(ctx)[id] = {
        arn: id,
        tags: {},
        fields: {
          importId: id,
          importSourceArn: input.importSourceArn,
          importStatus: 'FAILED',
          importDestinationArn: destination,
          importStatistics: { bytesImported: 0 },
          ...(input.importFilter ? { importFilter: { ...input.importFilter } } : {}),
          creationTime: now,
          lastUpdatedTime: now,
          errorMessage: 'Dockside does not host CloudTrail Lake.',
        },
      };
      return { importId: id, importDestinationArn: destination, creationTime: now };
    },
    DescribeImportTasks(input: CWL.DescribeImportTasksRequest, ctx): CWL.DescribeImportTasksResponse {
      const all = Object.values(imports(ctx)).filter(
        (r) =>
          (!input.importId || r.fields.importId === input.importId) &&
          (!input.importStatus || r.fields.importStatus === input.importStatus) &&
          (!input.importSourceArn || r.fields.importSourceArn === input.importSourceArn),
      );
      const { page, next } = pageOf(all, (r) => r.arn, input);
      return { imports: page.map((r) => view(r) as CWL.Import), ...next };
    },
    DescribeImportTaskBatches(input: CWL.DescribeImportTaskBatchesRequest, ctx): CWL.DescribeImportTaskBatchesResponse {
      const r = imports(ctx)[input.importId!];
      if (!r) throw notFound(`Import task ${input.importId} does not exist.`);
      return { importSourceArn: r.fields.importSourceArn as string, importId: r.arn, importBatches: [] };
    },
    CancelImportTask(input: CWL.CancelImportTaskRequest, ctx): CWL.CancelImportTaskResponse {
      const r = imports(ctx)[input.importId!];
      if (!r) throw notFound(`Import task ${input.importId} does not exist.`);
      if (r.fields.importStatus !== 'IN_PROGRESS')
        throw new ServiceError('InvalidOperationException', `Import task ${input.importId} is not in progress.`);
      return {};
    },

    AssociateSourceToS3TableIntegration(
      input: CWL.AssociateSourceToS3TableIntegrationRequest,
      ctx,
    ): CWL.AssociateSourceToS3TableIntegrationResponse {
      const id = randomUUID();
      s3Sources(ctx)[id] = {
        arn: id,
        tags: {},
        fields: {
          identifier: id,
          integrationArn: input.integrationArn,
          dataSource: { ...input.dataSource },
          status: 'FAILED',
          statusReason: 'Dockside does not host S3 Tables.',
          createdTimeStamp: Date.now(),
        },
      };
      return { identifier: id };
    },
    DisassociateSourceFromS3TableIntegration(
      input: CWL.DisassociateSourceFromS3TableIntegrationRequest,
      ctx,
    ): CWL.DisassociateSourceFromS3TableIntegrationResponse {
      if (!s3Sources(ctx)[input.identifier!]) throw notFound(`Source ${input.identifier} does not exist.`);
      delete s3Sources(ctx)[input.identifier!];
      return { identifier: input.identifier };
    },
    ListSourcesForS3TableIntegration(
      input: CWL.ListSourcesForS3TableIntegrationRequest,
      ctx,
    ): CWL.ListSourcesForS3TableIntegrationResponse {
      const all = Object.values(s3Sources(ctx)).filter((r) => r.fields.integrationArn === input.integrationArn);
      const { page, next } = pageOf(all, (r) => r.arn, input);
      return {
        sources: page.map((r) => {
          const { integrationArn: _i, ...rest } = view(r);
          return rest as CWL.S3TableIntegrationSource;
        }),
        ...next,
      };
    },

    GetLogFields(): CWL.GetLogFieldsResponse {
      // Fields of AWS-vended data sources; no AWS service vends logs into Dockside.
      return { logFields: [] };
    },
    GetLogObject(input: CWL.GetLogObjectRequest, ctx) {
      const record = Object.values(stateOf(ctx).queries)
        .map((q) => q.records[input.logObjectPointer!])
        .find(Boolean);
      if (!record) throw invalid('The specified log object pointer is not valid.');
      return eventStream((sink) => {
        sink.send('fields', { data: Buffer.from(JSON.stringify(record)).toString('base64') });
        sink.end();
        return () => undefined;
      });
    },
  };
}
