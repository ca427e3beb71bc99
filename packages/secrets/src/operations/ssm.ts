import type * as SSM from '@aws-sdk/client-ssm';
import type * as SM from '@aws-sdk/client-secrets-manager';
import { ServiceError, paginate, pageSize, type OperationMap, type RequestContext } from '@dockside/core';
import {
  DEFAULT_KEY,
  LABEL,
  MAX_VERSIONS,
  PATH_REQUIREMENTS,
  type ParameterFilter,
  REFERENCE,
  checkFilters,
  checkName,
  filterMatches,
  metadataView,
  parameterArn,
  parameterKey,
  parameterView,
  parseParameterRef,
  splitSelector,
  underPath,
  valueOf,
  versionBySelector,
} from '../domain/parameters';
import { PUBLIC_PREFIX, publicParameter, publicParameters } from '../domain/public-parameters';
import { parameterNotFound, validation } from '../errors';
import type { ParameterRecord, ParameterVersion, SecretsState } from '../state/types';
export function ssmOperations(stateOf: (ctx: RequestContext) => SecretsState): OperationMap {
  const find = (ctx: RequestContext, ref: string | undefined) => {
    const { name, selector } = parseParameterRef(ref ?? '');
    const p = stateOf(ctx).parameters[parameterKey(name)] ?? publicParameter(ctx.region, name);
    if (!p) throw parameterNotFound(ref ?? '');
    return { p, selector };
  };

  /** `/aws/reference/secretsmanager/<id>[:version-id|:stage]` read through Secrets Manager. */
  const fromSecretsManager = async (
    ref: string,
    decrypt: boolean | undefined,
    ctx: RequestContext,
  ): Promise<SSM.Parameter> => {
    if (!decrypt) throw validation('WithDecryption flag must be True for retrieving a Secret Manager secret.');
    const [secretId, selector] = splitSelector(ref.slice(REFERENCE.length));
    const opts = { accountId: ctx.accountId, region: ctx.region };
    const byId = selector !== undefined && /^[0-9a-f-]{32,64}$/i.test(selector);
    let value: SM.GetSecretValueResponse;
    let described: SM.DescribeSecretResponse;
    try {
      value = await ctx.bus.call(
        'secretsmanager',
        'GetSecretValue',
        {
          SecretId: secretId,
          ...(selector !== undefined ? (byId ? { VersionId: selector } : { VersionStage: selector }) : {}),
        },
        opts,
      );
      described = await ctx.bus.call('secretsmanager', 'DescribeSecret', { SecretId: secretId }, opts);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'ResourceNotFoundException') throw parameterNotFound(ref);
      throw e;
    }
    return {
      Name: `${REFERENCE}${secretId}`,
      Type: 'SecureString',
      Value: value.SecretString ?? String(value.SecretBinary ?? ''),
      Version: 0,
      ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
      SourceResult: JSON.stringify({
        ...described,
        LastChangedDate: described.LastChangedDate,
        CreatedDate: described.CreatedDate,
      }),
      LastModifiedDate: value.CreatedDate,
      ARN: value.ARN,
      DataType: 'text',
    };
  };

  const getOne = async (ref: string, decrypt: boolean | undefined, ctx: RequestContext): Promise<SSM.Parameter> => {
    if (ref.startsWith(REFERENCE)) return fromSecretsManager(ref, decrypt, ctx);
    const { p, selector } = find(ctx, ref);
    return parameterView(p, versionBySelector(p, selector, ref), decrypt, selector);
  };

  return {
    PutParameter(input: SSM.PutParameterRequest, ctx): SSM.PutParameterResult {
      const state = stateOf(ctx);
      const name = parseParameterRef(input.Name ?? '').name;
      checkName(name);
      const value = input.Value ?? '';
      if (!value.length)
        throw validation(
          "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      const existing = state.parameters[parameterKey(name)];
      if (existing && !input.Overwrite) {
        throw new ServiceError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        );
      }
      if (existing && input.Tags?.length) {
        throw validation(
          "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
        );
      }
      const prev = existing?.history[existing.history.length - 1];
      const type = (input.Type ?? prev?.type) as ParameterVersion['type'] | undefined;
      if (!type) throw validation('A parameter type is required when you create a parameter.');
      if (input.KeyId !== undefined && type !== 'SecureString')
        throw validation('KeyId is required for SecureString type parameter only.');
      // An empty AllowedPattern is no pattern (the Terraform provider always sends one).
      const allowedPattern =
        (input.AllowedPattern === undefined ? prev?.allowedPattern : input.AllowedPattern) || undefined;
      if (allowedPattern !== undefined) {
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${allowedPattern})$`);
        } catch {
          throw validation(`The allowed pattern ${allowedPattern} is not a valid regular expression.`);
        }
        if (!re.test(value))
          throw new ServiceError(
            'ParameterPatternMismatchException',
            `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
          );
      }
      const dataType = input.DataType ?? prev?.dataType ?? 'text';
      if (!['text', 'aws:ec2:image', 'aws:ssm:integration'].includes(dataType)) {
        throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase).`);
      }
      if (dataType === 'aws:ec2:image' && !/^ami-[0-9a-f]{8,17}$/.test(value)) {
        throw validation(`Parameter value ${value} is not a valid AMI ID for data type aws:ec2:image.`);
      }
      let tier = input.Tier ?? prev?.tier ?? 'Standard';
      if (tier === 'Intelligent-Tiering')
        tier = value.length > 4096 || (input.Policies ?? '').length ? 'Advanced' : 'Standard';
      if (prev?.tier === 'Advanced' && tier === 'Standard') {
        throw validation(
          "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
        );
      }
      if (tier === 'Standard' && value.length > 4096) {
        throw validation(
          'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
        );
      }
      if (value.length > 8192)
        throw validation('Advanced tier parameters support a maximum parameter value of 8192 characters.');
      const p: ParameterRecord = existing ?? {
        name,
        arn: parameterArn(ctx, name),
        history: [],
        tags: (input.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })),
      };
      if (p.history.length >= MAX_VERSIONS) {
        const oldest = p.history[0];
        if (oldest.labels.length) {
          throw new ServiceError(
            'ParameterMaxVersionLimitExceeded',
            `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
          );
        }
        p.history.shift();
      }
      const version: ParameterVersion = {
        version: (prev?.version ?? 0) + 1,
        value,
        type,
        ...(type === 'SecureString' ? { keyId: input.KeyId ?? prev?.keyId ?? DEFAULT_KEY } : {}),
        ...((input.Description ?? prev?.description) !== undefined
          ? { description: input.Description ?? prev?.description }
          : {}),
        ...(allowedPattern !== undefined ? { allowedPattern } : {}),
        tier,
        dataType,
        policies: [],
        lastModifiedDate: new Date(),
        lastModifiedUser: `arn:aws:iam::${ctx.accountId}:root`,
        labels: [],
      };
      p.history.push(version);
      state.parameters[parameterKey(name)] = p;
      return { Version: version.version, Tier: tier as SSM.ParameterTier };
    },

    async GetParameter(input: SSM.GetParameterRequest, ctx): Promise<SSM.GetParameterResult> {
      return { Parameter: await getOne(input.Name ?? '', input.WithDecryption, ctx) };
    },

    async GetParameters(input: SSM.GetParametersRequest, ctx): Promise<SSM.GetParametersResult> {
      const names = input.Names ?? [];
      if (names.length < 1 || names.length > 10) {
        throw validation(
          `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
        );
      }
      const Parameters: SSM.Parameter[] = [];
      const InvalidParameters: string[] = [];
      for (const ref of [...new Set(names)]) {
        try {
          Parameters.push(await getOne(ref, input.WithDecryption, ctx));
        } catch (e) {
          if (e instanceof ServiceError && ['ParameterNotFound', 'ParameterVersionNotFound'].includes(e.code))
            InvalidParameters.push(ref);
          else throw e;
        }
      }
      return { Parameters, InvalidParameters };
    },

    GetParametersByPath(input: SSM.GetParametersByPathRequest, ctx): SSM.GetParametersByPathResult {
      const path = input.Path ?? '';
      if (!path.startsWith('/') || path.split('/').filter(Boolean).length > 15) throw validation(PATH_REQUIREMENTS);
      if (path.startsWith(REFERENCE) || path.toLowerCase().startsWith('/aws/reference'))
        throw validation('Retrieving Secrets Manager secrets by path is not supported.');
      const filters = input.ParameterFilters ?? [];
      checkFilters(filters, ['Type', 'KeyId', 'Label', 'tag'], ['Type', 'KeyId']);
      pageSize(input.MaxResults, { defaultMax: 10, maxLimit: 10, errorCode: 'ValidationException' });
      const candidates =
        path.startsWith(PUBLIC_PREFIX) || PUBLIC_PREFIX.startsWith(`${path.replace(/\/$/, '')}/`)
          ? [...Object.values(stateOf(ctx).parameters), ...publicParameters(ctx.region)]
          : Object.values(stateOf(ctx).parameters);
      const matching = candidates
        .filter((p) => underPath(p.name, path, Boolean(input.Recursive)) && filters.every((f) => filterMatches(p, f)))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const { page, nextToken } = paginate(
        matching,
        (p) => p.name,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { defaultMax: 10, maxLimit: 10, errorCode: 'InvalidNextToken' },
      );
      return {
        Parameters: page.map((p) => parameterView(p, p.history[p.history.length - 1], input.WithDecryption)),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },

    DeleteParameter(input: SSM.DeleteParameterRequest, ctx): SSM.DeleteParameterResult {
      const state = stateOf(ctx);
      const name = parseParameterRef(input.Name ?? '').name;
      if (!state.parameters[parameterKey(name)]) throw parameterNotFound(input.Name ?? '');
      delete state.parameters[parameterKey(name)];
      return {};
    },

    DeleteParameters(input: SSM.DeleteParametersRequest, ctx): SSM.DeleteParametersResult {
      const state = stateOf(ctx);
      const names = input.Names ?? [];
      if (names.length < 1 || names.length > 10)
        throw validation('Names must contain between 1 and 10 parameter names.');
      const DeletedParameters: string[] = [];
      const InvalidParameters: string[] = [];
      for (const n of names) {
        const name = parseParameterRef(n).name;
        if (state.parameters[parameterKey(name)]) {
          delete state.parameters[parameterKey(name)];
          DeletedParameters.push(n);
        } else InvalidParameters.push(n);
      }
      return { DeletedParameters, InvalidParameters };
    },

    DescribeParameters(input: SSM.DescribeParametersRequest, ctx): SSM.DescribeParametersResult {
      if (input.Filters?.length && input.ParameterFilters?.length)
        throw validation('You can use either Filters or ParameterFilters in a single request.');
      const filters: ParameterFilter[] =
        input.ParameterFilters ??
        (input.Filters ?? []).map((f) => ({ Key: f.Key, Option: 'Equals', Values: f.Values }));
      if (input.ParameterFilters)
        checkFilters(
          filters,
          ['Name', 'Path', 'Type', 'KeyId', 'Tier', 'DataType', 'tag'],
          ['Path', 'Name', 'Type', 'KeyId', 'Tier'],
        );
      pageSize(input.MaxResults, { defaultMax: 50, maxLimit: 50, errorCode: 'ValidationException' });
      const matching = Object.values(stateOf(ctx).parameters)
        .filter((p) => filters.every((f) => filterMatches(p, f)))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const { page, nextToken } = paginate(
        matching,
        (p) => p.name,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { defaultMax: 50, maxLimit: 50, errorCode: 'InvalidNextToken' },
      );
      return { Parameters: page.map(metadataView), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    GetParameterHistory(input: SSM.GetParameterHistoryRequest, ctx): SSM.GetParameterHistoryResult {
      const { p } = find(ctx, parseParameterRef(input.Name ?? '').name);
      pageSize(input.MaxResults, { defaultMax: 50, maxLimit: 50, errorCode: 'ValidationException' });
      const { page, nextToken } = paginate(
        p.history,
        (v) => String(v.version).padStart(6, '0'),
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { defaultMax: 50, maxLimit: 50, errorCode: 'InvalidNextToken' },
      );
      return {
        Parameters: page.map((v) => ({
          Name: p.name,
          Type: v.type,
          ...(v.type === 'SecureString' ? { KeyId: v.keyId ?? DEFAULT_KEY } : {}),
          LastModifiedDate: v.lastModifiedDate,
          LastModifiedUser: v.lastModifiedUser,
          ...(v.description !== undefined ? { Description: v.description } : {}),
          Value: valueOf(p, v, input.WithDecryption),
          ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
          Version: v.version,
          Labels: [...v.labels],
          Tier: v.tier as SSM.ParameterTier,
          // Policies are accepted, not applied; an empty list is left out, as AWS does.
          ...(v.policies.length ? { Policies: v.policies.map((p) => ({ PolicyText: p })) } : {}),
          DataType: v.dataType,
        })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },

    LabelParameterVersion(input: SSM.LabelParameterVersionRequest, ctx): SSM.LabelParameterVersionResult {
      const { p } = find(ctx, parseParameterRef(input.Name ?? '').name);
      const labels = input.Labels ?? [];
      if (labels.length < 1 || labels.length > 10) throw validation('Labels must contain between 1 and 10 labels.');
      const target =
        input.ParameterVersion === undefined
          ? p.history[p.history.length - 1]
          : versionBySelector(p, String(input.ParameterVersion), p.name);
      const InvalidLabels = labels.filter((l) => !LABEL.test(l) || /^\d/.test(l) || /^(aws|ssm)/i.test(l));
      const valid = labels.filter((l) => !InvalidLabels.includes(l));
      const after = new Set([...target.labels, ...valid]);
      if (after.size > 10) {
        throw new ServiceError(
          'ParameterVersionLabelLimitExceeded',
          'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
        );
      }
      for (const l of valid) {
        for (const v of p.history) if (v !== target) v.labels = v.labels.filter((x) => x !== l);
        if (!target.labels.includes(l)) target.labels.push(l);
      }
      return { InvalidLabels, ParameterVersion: target.version };
    },

    UnlabelParameterVersion(input: SSM.UnlabelParameterVersionRequest, ctx): SSM.UnlabelParameterVersionResult {
      const { p } = find(ctx, parseParameterRef(input.Name ?? '').name);
      const target = versionBySelector(p, String(input.ParameterVersion), p.name);
      const RemovedLabels: string[] = [];
      const InvalidLabels: string[] = [];
      for (const l of input.Labels ?? []) {
        if (target.labels.includes(l)) {
          target.labels = target.labels.filter((x) => x !== l);
          RemovedLabels.push(l);
        } else InvalidLabels.push(l);
      }
      return { RemovedLabels, InvalidLabels };
    },

    AddTagsToResource(input: SSM.AddTagsToResourceRequest, ctx): SSM.AddTagsToResourceResult {
      const p = taggable(ctx, input);
      for (const t of input.Tags ?? []) {
        if (!t.Key || t.Key.length > 128 || t.Key.toLowerCase().startsWith('aws:') || (t.Value ?? '').length > 256) {
          throw new ServiceError('InvalidTag', `The tag key or value is not valid: ${t.Key}.`);
        }
        const at = p.tags.findIndex((x) => x.Key === t.Key);
        if (at >= 0) p.tags[at] = { Key: t.Key, Value: t.Value ?? '' };
        else p.tags.push({ Key: t.Key, Value: t.Value ?? '' });
      }
      if (p.tags.length > 50)
        throw new ServiceError(
          'TooManyTagsError',
          'The Targets parameter includes too many tags. Remove one or more tags and try the command again.',
        );
      return {};
    },

    RemoveTagsFromResource(input: SSM.RemoveTagsFromResourceRequest, ctx): SSM.RemoveTagsFromResourceResult {
      const p = taggable(ctx, input);
      const drop = new Set(input.TagKeys ?? []);
      p.tags = p.tags.filter((t) => !drop.has(t.Key));
      return {};
    },

    ListTagsForResource(input: SSM.ListTagsForResourceRequest, ctx): SSM.ListTagsForResourceResult {
      return { TagList: taggable(ctx, input).tags.map((t) => ({ ...t })) };
    },
  };

  function taggable(ctx: RequestContext, input: { ResourceType?: string; ResourceId?: string }): ParameterRecord {
    if (input.ResourceType !== 'Parameter')
      throw new ServiceError(
        'InvalidResourceType',
        `The resource type ${input.ResourceType} is not valid here: Dockside's Parameter Store tags parameters only.`,
      );
    const p = stateOf(ctx).parameters[parameterKey(parseParameterRef(input.ResourceId ?? '').name)];
    if (!p) throw new ServiceError('InvalidResourceId', 'The resource ID is not valid. Verify the ID and try again.');
    return p;
  }
}
