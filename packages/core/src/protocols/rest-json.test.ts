import type { ServiceModel } from '../model/types';
import { decodeRestJsonInput, encodeRestJsonError, encodeRestJsonResult, matchRestOperation } from './rest-json';
import { ServiceError } from '../errors';

const model: ServiceModel = {
  sdkPackage: 'test',
  sdkVersion: '0',
  namespace: 'test',
  operations: {
    GetThing: { input: 'GetThingIn', output: 'GetThingOut', http: { method: 'GET', uri: '/things/{Name}', code: 200 } },
    ListThings: { input: 'ListIn', output: null, http: { method: 'GET', uri: '/things', code: 200 } },
    GetLatest: { input: null, output: null, http: { method: 'GET', uri: '/things/latest', code: 200 } },
    PutObject: { input: 'PutIn', output: null, http: { method: 'PUT', uri: '/objects/{Key+}?tagging', code: 204 } },
  },
  shapes: {
    GetThingIn: {
      type: 'structure',
      required: ['Name'],
      members: {
        Name: { ref: 'string', http: { label: true } },
        Limit: { ref: 'number', http: { query: 'limit' } },
        Keys: { ref: { type: 'list', member: 'string' }, http: { query: 'key' } },
        Trace: { ref: 'string', http: { header: 'X-Trace' } },
        Extra: { ref: { type: 'map', value: 'string' }, http: { queryParams: true } },
      },
    },
    GetThingOut: {
      type: 'structure',
      required: [],
      members: {
        Etag: { ref: 'string', http: { header: 'ETag' } },
        Status: { ref: 'number', http: { responseCode: true } },
        Body: { ref: 'string' },
      },
    },
    ListIn: { type: 'structure', required: [], members: { Deep: { ref: 'boolean', http: { query: 'deep' } } } },
    PutIn: {
      type: 'structure',
      required: [],
      members: { Key: { ref: 'string', http: { label: true } }, Data: { ref: 'blob', http: { payload: true } } },
    },
  },
  errors: { NotFound: { fault: 'client', httpStatus: 404 } },
};
const q = (s = '') => new URLSearchParams(s);

test('routes: literal segments before labels, greedy labels, literal query keys, encoded labels', () => {
  expect(matchRestOperation(model, 'GET', '/things/latest', q())).toEqual({ operation: 'GetLatest', labels: {} });
  expect(matchRestOperation(model, 'GET', '/things/a%20b', q())).toEqual({
    operation: 'GetThing',
    labels: { Name: 'a b' },
  });
  expect(matchRestOperation(model, 'GET', '/things', q())?.operation).toBe('ListThings');
  expect(matchRestOperation(model, 'PUT', '/objects/a/b/c', q('tagging'))).toEqual({
    operation: 'PutObject',
    labels: { Key: 'a/b/c' },
  });
  expect(matchRestOperation(model, 'PUT', '/objects/a', q())).toBeUndefined();
  expect(matchRestOperation(model, 'DELETE', '/things/x', q())).toBeUndefined();
});

test('input: labels, typed and repeated query values, headers, leftover query params, a raw payload', () => {
  expect(
    decodeRestJsonInput(
      model,
      'GetThing',
      { Name: 'x' },
      q('limit=5&key=a&key=b&other=1'),
      { 'x-trace': 't1' },
      undefined,
    ),
  ).toEqual({ Name: 'x', Limit: 5, Keys: ['a', 'b'], Trace: 't1', Extra: { other: '1' } });
  expect(decodeRestJsonInput(model, 'ListThings', {}, q('deep=true'), {}, Buffer.from(''))).toEqual({ Deep: true });
  expect(() => decodeRestJsonInput(model, 'ListThings', {}, q('deep=yes'), {}, undefined)).toThrow('Invalid boolean');
  const put = decodeRestJsonInput(model, 'PutObject', { Key: 'k' }, q('tagging'), {}, Buffer.from('raw bytes'));
  expect(put).toEqual({ Key: 'k', Data: Buffer.from('raw bytes') });
});

test('output and errors: headers and status from bound members, JSON body, model error status', () => {
  const out = encodeRestJsonResult(model, 'GetThing', { Etag: 'abc', Status: 201, Body: 'hi' });
  expect(out).toMatchObject({ status: 201, headers: { ETag: 'abc' }, body: '{"Body":"hi"}' });
  const err = encodeRestJsonError(model, new ServiceError('NotFound', 'gone'));
  expect(err).toMatchObject({ status: 404, headers: { 'x-amzn-ErrorType': 'NotFound' }, body: '{"message":"gone"}' });
});
