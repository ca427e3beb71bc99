import { ServiceError } from '../errors';
import type { ServiceModel } from './types';
import { ModelValidator, shapeToJsonSchema, stripNulls } from './validator';

const model: ServiceModel = {
  sdkPackage: 'test',
  sdkVersion: '0',
  namespace: 'test',
  operations: { Op: { input: 'In', output: null } },
  errors: {},
  shapes: {
    In: {
      type: 'structure',
      required: ['name'],
      members: {
        name: { ref: 'string' },
        count: { ref: 'number' },
        mode: { ref: 'string', enum: ['A', 'B'] },
        modes: { ref: { type: 'list', member: 'string' }, enum: ['A', 'B'] },
        items: { ref: { shape: 'Items' } },
        labels: { ref: { type: 'map', value: 'string' } },
        self: { ref: { shape: 'In' } },
      },
    },
    Items: { type: 'list', member: { ref: { shape: 'Item' } } },
    Item: { type: 'structure', required: ['key'], members: { key: { ref: 'string' }, on: { ref: 'boolean' } } },
  },
};

const check = (input: unknown) => {
  try {
    new ModelValidator(() => model, 'ValidationException').validate('Op', input);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return (e as ServiceError).message;
  }
};

test('recursive shapes compile to $defs', () => {
  const schema = shapeToJsonSchema(model, 'In') as { $defs: Record<string, unknown> };
  expect(Object.keys(schema.$defs).sort()).toEqual(['In', 'Item', 'Items']);
});

test.each([
  [{ name: 'x' }, 'ok'],
  [{ name: 'x', self: { name: 'y', count: 2 } }, 'ok'],
  [{}, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"],
  [
    { name: 'x', count: '3' },
    `1 validation error detected: Value "3" at 'count' failed to satisfy constraint: Member must be of type number`,
  ],
  [
    { name: 'x', mode: 'C' },
    "1 validation error detected: Value 'C' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [A, B]",
  ],
  [
    { name: 'x', modes: ['A', 'Z'] },
    "at 'modes.2.member' failed to satisfy constraint: Member must satisfy enum value set",
  ],
  [{ name: 'x', items: [{ key: 'a' }, {}] }, "Value null at 'items.2.member.key'"],
  [
    { name: 'x', items: [{ key: 'a', on: 'yes' }] },
    "at 'items.1.member.on' failed to satisfy constraint: Member must be of type boolean",
  ],
  [{ name: 'x', labels: { a: 1 } }, "at 'labels.a'"],
  [{ name: 'x', self: {} }, "Value null at 'self.name'"],
])('%j → %s', (input, expected) => {
  const got = check(input);
  if (expected === 'ok') expect(got).toBe('ok');
  else expect(got).toContain(expected);
});

test('stripNulls drops nulls at every depth', () => {
  expect(stripNulls({ a: null, b: [{ c: null, d: 1 }], e: { f: null } })).toEqual({ b: [{ d: 1 }], e: {} });
});
