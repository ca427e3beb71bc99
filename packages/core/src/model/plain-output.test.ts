import type { ServiceModel } from './types';
import { plainJsonOutput } from './plain-output';

const model: ServiceModel = {
  sdkPackage: 'x',
  sdkVersion: '0',
  namespace: 'x',
  operations: {
    Plain: { input: null, output: 'PlainOut' },
    Dated: { input: null, output: 'DatedOut' },
    Bytes: { input: null, output: 'BytesOut' },
    Nothing: { input: null, output: null },
    Recursive: { input: null, output: 'Node' },
  },
  shapes: {
    PlainOut: {
      type: 'structure',
      members: { events: { ref: { shape: 'Events' } }, token: { ref: 'string' } },
      required: [],
    },
    Events: { type: 'list', member: { ref: { shape: 'Event' } } },
    Event: { type: 'structure', members: { timestamp: { ref: 'number' }, message: { ref: 'string' } }, required: [] },
    DatedOut: {
      type: 'structure',
      members: { byName: { ref: { type: 'map', value: { shape: 'Dated' } } } },
      required: [],
    },
    Dated: { type: 'structure', members: { at: { ref: 'timestamp' } }, required: [] },
    BytesOut: { type: 'structure', members: { data: { ref: { type: 'list', member: 'blob' } } }, required: [] },
    Node: {
      type: 'structure',
      members: { name: { ref: 'string' }, children: { ref: { type: 'list', member: { shape: 'Node' } } } },
      required: [],
    },
  },
  errors: {},
};

test.each([
  ['Plain', true],
  ['Nothing', true],
  ['Recursive', true],
  ['Dated', false],
  ['Bytes', false],
  ['NotModelled', false],
])('%s output is plain JSON: %s', (op, plain) => {
  expect(plainJsonOutput(model, op)).toBe(plain);
});
