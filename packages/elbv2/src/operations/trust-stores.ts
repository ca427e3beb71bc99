/**
 * Trust stores (mutual TLS): their CA bundle and revocation lists are S3 objects, which Dockside does
 * not host, so the API records their names; the bundle's PEM is given through
 * `PUT /_dockside/elbv2/trust-stores/{name}/ca-bundle` and verify-mode listeners check clients with it.
 * Revocation lists are recorded, not applied.
 */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError, type RequestContext } from '@dockside/core';
import { markerPage } from '../domain/describe';
import { trustStoreArn } from '../domain/ids';
import { getTrustStore } from '../domain/lookup';
import { setTags } from '../domain/tags';
import { countCertificates } from '../dataplane/mtls';
import { invalid } from '../errors';
import type { TrustStoreRecord } from '../state/types';
import type { Elbv2Env } from './context';

const out = (t: TrustStoreRecord): ELB.TrustStore => ({
  Name: t.name,
  TrustStoreArn: t.arn,
  Status: 'ACTIVE',
  NumberOfCaCertificates: countCertificates(t.caBundle) || 1,
  TotalRevokedEntries: t.revocations.reduce((n, r) => n + r.entries, 0),
});

/** One revocation list as the API describes it. */
const revocationOut = (
  t: TrustStoreRecord,
  r: TrustStoreRecord['revocations'][number],
): ELB.DescribeTrustStoreRevocation => ({
  TrustStoreArn: t.arn,
  RevocationId: r.id,
  RevocationType: r.type as ELB.RevocationType,
  NumberOfRevokedEntries: r.entries,
});

const s3Url = (b: { bucket: string; key: string }) => `https://${b.bucket}.s3.amazonaws.com/${b.key}`;

export function trustStoreOperations(env: Elbv2Env) {
  const { stateOf } = env;
  const inUseBy = (s: ReturnType<typeof stateOf>, arn: string) =>
    Object.values(s.listeners).filter((l) => l.mutualAuthentication?.TrustStoreArn === arn);
  return {
    CreateTrustStore(input: ELB.CreateTrustStoreInput, ctx: RequestContext): ELB.CreateTrustStoreOutput {
      const s = stateOf(ctx);
      if (!/^([a-zA-Z0-9]+-)*[a-zA-Z0-9]+$/.test(input.Name!))
        throw invalid(`Trust store name '${input.Name}' is not valid`);
      if (Object.values(s.trustStores).some((t) => t.name === input.Name)) {
        throw new ServiceError(
          'DuplicateTrustStoreNameException',
          `A trust store with the name '${input.Name}' already exists`,
        );
      }
      const t: TrustStoreRecord = {
        arn: trustStoreArn(ctx, input.Name!),
        name: input.Name!,
        bundle: {
          bucket: input.CaCertificatesBundleS3Bucket!,
          key: input.CaCertificatesBundleS3Key!,
          version: input.CaCertificatesBundleS3ObjectVersion,
        },
        revocations: [],
      };
      s.trustStores[t.arn] = t;
      setTags(s, t.arn, input.Tags ?? []);
      return { TrustStores: [out(t)] };
    },
    DescribeTrustStores(input: ELB.DescribeTrustStoresInput, ctx: RequestContext): ELB.DescribeTrustStoresOutput {
      const s = stateOf(ctx);
      let list = Object.values(s.trustStores).sort((a, b) => a.name.localeCompare(b.name));
      if (input.TrustStoreArns?.length) list = input.TrustStoreArns.map((a) => getTrustStore(s, a));
      if (input.Names?.length) {
        list = list.filter((t) => input.Names!.includes(t.name));
        if (list.length !== input.Names.length)
          throw new ServiceError('TrustStoreNotFoundException', 'One or more trust stores not found');
      }
      const { page, next } = markerPage(list, input.Marker, input.PageSize);
      return { TrustStores: page.map(out), NextMarker: next };
    },
    ModifyTrustStore(input: ELB.ModifyTrustStoreInput, ctx: RequestContext): ELB.ModifyTrustStoreOutput {
      const t = getTrustStore(stateOf(ctx), input.TrustStoreArn!);
      t.bundle = {
        bucket: input.CaCertificatesBundleS3Bucket!,
        key: input.CaCertificatesBundleS3Key!,
        version: input.CaCertificatesBundleS3ObjectVersion,
      };
      return { TrustStores: [out(t)] };
    },
    DeleteTrustStore(input: ELB.DeleteTrustStoreInput, ctx: RequestContext): ELB.DeleteTrustStoreOutput {
      const s = stateOf(ctx);
      const t = getTrustStore(s, input.TrustStoreArn!);
      if (inUseBy(s, t.arn).length)
        throw new ServiceError('TrustStoreInUseException', `Trust store '${t.arn}' is in use by a listener`);
      delete s.trustStores[t.arn];
      delete s.tags[t.arn];
      return {};
    },
    AddTrustStoreRevocations(
      input: ELB.AddTrustStoreRevocationsInput,
      ctx: RequestContext,
    ): ELB.AddTrustStoreRevocationsOutput {
      const s = stateOf(ctx);
      const t = getTrustStore(s, input.TrustStoreArn!);
      const added = (input.RevocationContents ?? []).map((r) => ({
        id: s.nextRevocationId++,
        bucket: r.S3Bucket!,
        key: r.S3Key!,
        version: r.S3ObjectVersion,
        type: r.RevocationType ?? 'CRL',
        entries: 0,
      }));
      t.revocations.push(...added);
      return {
        TrustStoreRevocations: added.map((r) => revocationOut(t, r)),
      };
    },
    RemoveTrustStoreRevocations(input: ELB.RemoveTrustStoreRevocationsInput, ctx: RequestContext) {
      const t = getTrustStore(stateOf(ctx), input.TrustStoreArn!);
      for (const id of input.RevocationIds ?? []) {
        if (!t.revocations.some((r) => r.id === id))
          throw new ServiceError('RevocationIdNotFoundException', `Revocation ID '${id}' not found`);
      }
      t.revocations = t.revocations.filter((r) => !input.RevocationIds!.includes(r.id));
      return {};
    },
    DescribeTrustStoreRevocations(
      input: ELB.DescribeTrustStoreRevocationsInput,
      ctx: RequestContext,
    ): ELB.DescribeTrustStoreRevocationsOutput {
      const t = getTrustStore(stateOf(ctx), input.TrustStoreArn!);
      let list = t.revocations;
      if (input.RevocationIds?.length) list = list.filter((r) => input.RevocationIds!.includes(r.id));
      const { page, next } = markerPage(list, input.Marker, input.PageSize);
      return {
        TrustStoreRevocations: page.map((r) => revocationOut(t, r)),
        NextMarker: next,
      };
    },
    DescribeTrustStoreAssociations(
      input: ELB.DescribeTrustStoreAssociationsInput,
      ctx: RequestContext,
    ): ELB.DescribeTrustStoreAssociationsOutput {
      const s = stateOf(ctx);
      getTrustStore(s, input.TrustStoreArn!);
      const lbs = [...new Set(inUseBy(s, input.TrustStoreArn!).map((l) => l.loadBalancerArn))];
      const { page, next } = markerPage(lbs, input.Marker, input.PageSize);
      return { TrustStoreAssociations: page.map((ResourceArn) => ({ ResourceArn })), NextMarker: next };
    },
    DeleteSharedTrustStoreAssociation(input: ELB.DeleteSharedTrustStoreAssociationInput, ctx: RequestContext) {
      getTrustStore(stateOf(ctx), input.TrustStoreArn!);
      throw new ServiceError(
        'DeleteAssociationSameAccountException',
        'A trust store association cannot be deleted from the account that owns the trust store',
      );
    },
    GetTrustStoreCaCertificatesBundle(input: ELB.GetTrustStoreCaCertificatesBundleInput, ctx: RequestContext) {
      const t = getTrustStore(stateOf(ctx), input.TrustStoreArn!);
      return { Location: s3Url(t.bundle) };
    },
    GetTrustStoreRevocationContent(input: ELB.GetTrustStoreRevocationContentInput, ctx: RequestContext) {
      const t = getTrustStore(stateOf(ctx), input.TrustStoreArn!);
      const r = t.revocations.find((x) => x.id === input.RevocationId);
      if (!r)
        throw new ServiceError('RevocationIdNotFoundException', `Revocation ID '${input.RevocationId}' not found`);
      return { Location: s3Url(r) };
    },
  };
}
