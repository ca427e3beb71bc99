#!/usr/bin/env node
/**
 * Constraint tables: `dockside-constraints <botocore service-2.json[.gz]> <out.json>`.
 *
 * The SDK schemas Dockside's models are generated from carry no length, range or pattern
 * traits; AWS's published service models do (botocore's data files, shipped with the AWS CLI
 * and boto3). This tool turns one into a small table keyed the way Dockside's model is (structure
 * shape → member, list shape → its items), recording where it came from. Tables are committed
 * next to each plugin, so a build needs nothing beyond the repository (`dockside-model` merges
 * the table into the model it writes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Constraint, ConstraintTable } from './types';

interface BotoShape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
}

/**
 * The pattern as JavaScript runs it (with the `u` flag ajv uses), or undefined where it cannot.
 * Java accepts escapes of any punctuation (`\-`, `\:`, `\!`); unicode-mode JavaScript only of
 * syntax characters, so the others become hex escapes, which mean the same inside and outside
 * character classes.
 */
export function jsPattern(pattern: string): string | undefined {
  const js = pattern.replace(
    /\\([^A-Za-z0-9^$\\.*+?()[\]{}|/])/g,
    (_m, c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  try {
    new RegExp(`^(?:${js})$`, 'u');
    return js;
  } catch {
    return undefined;
  }
}

export function constraintTable(serviceFile: string, source: string): ConstraintTable & { dropped: string[] } {
  const raw = fs.readFileSync(serviceFile);
  const model = JSON.parse((serviceFile.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8')) as {
    metadata: { apiVersion: string; serviceId: string };
    shapes: Record<string, BotoShape>;
  };
  const dropped: string[] = [];
  const of = (shapeName: string, where: string): Constraint | undefined => {
    const s = model.shapes[shapeName];
    if (!s) return undefined;
    const c: Constraint = {};
    const numeric = s.type === 'integer' || s.type === 'long' || s.type === 'float' || s.type === 'double';
    if (s.min !== undefined && !(s.type === 'string' && s.min === 0) && !(numeric && s.min < -1e15)) c.min = s.min;
    if (s.max !== undefined) c.max = s.max;
    if (s.pattern !== undefined && s.type === 'string') {
      const js = jsPattern(s.pattern);
      if (js === undefined) dropped.push(`${where}: ${s.pattern}`);
      else {
        c.pattern = s.pattern;
        if (js !== s.pattern) c.jsPattern = js;
      }
    }
    if (s.type === 'list' && s.member) {
      const items = of(s.member.shape, `${where}[]`);
      if (items) c.items = items;
    }
    return Object.keys(c).length ? c : undefined;
  };
  const structures: ConstraintTable['structures'] = {};
  const lists: ConstraintTable['lists'] = {};
  for (const [name, s] of Object.entries(model.shapes)) {
    if (s.type === 'structure') {
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const c = of(ref.shape, `${name}.${member}`);
        if (c) (structures[name] ??= {})[member] = c;
      }
    } else if (s.type === 'list' && s.member) {
      const c = of(s.member.shape, `${name}[]`);
      if (c) lists[name] = c;
    }
  }
  return { source, apiVersion: model.metadata.apiVersion, structures, lists, dropped };
}

if (require.main === module) {
  const [serviceFile, out, ...label] = process.argv.slice(2);
  if (!serviceFile || !out) {
    console.error('usage: dockside-constraints <botocore service-2.json[.gz]> <out.json> [source label]');
    process.exit(2);
  }
  const { dropped, ...table } = constraintTable(serviceFile, label.join(' ') || path.resolve(serviceFile));
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(table, null, 1)}\n`);
  const members = Object.values(table.structures).reduce((n, s) => n + Object.keys(s).length, 0);
  console.log(
    `dockside-constraints: ${members} constrained members, ${Object.keys(table.lists).length} lists -> ${out}`,
  );
  for (const d of dropped) console.log(`  pattern not usable in JavaScript, left out: ${d}`);
}
