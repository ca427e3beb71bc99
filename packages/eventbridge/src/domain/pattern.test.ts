/** AWS's documented pattern examples (eb-event-patterns*.html) as a table, plus validation wording. */
import { PatternError, explain, matches, parsePattern } from './pattern';

const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'source-ip': '10.0.0.123',
    'source-ipv6': '2001:db8::1',
    count: 5,
    price: 100.5,
    filename: 'file.png',
    tags: ['prod', 'web'],
    nothing: null,
    empty: '',
    nested: {
      list: [
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ],
    },
  },
};

const cases: Array<[string, object, boolean]> = [
  ['exact string', { source: ['aws.ec2'] }, true],
  ['exact string, other value', { source: ['aws.s3'] }, false],
  ['one of several values', { detail: { state: ['running', 'terminated'] } }, true],
  ['numbers compare as numbers', { detail: { count: [5.0] } }, true],
  ['null', { detail: { nothing: [null] } }, true],
  ['empty string', { detail: { empty: [''] } }, true],
  ['array field: any element', { detail: { tags: ['web'] } }, true],
  ['resources array', { resources: [{ prefix: 'arn:aws:ec2:us-west-1' }] }, true],
  ['prefix', { 'detail-type': [{ prefix: 'EC2 Instance' }] }, true],
  ['prefix ignore case', { 'detail-type': [{ prefix: { 'equals-ignore-case': 'ec2 instance' } }] }, true],
  ['suffix', { detail: { filename: [{ suffix: '.png' }] } }, true],
  ['suffix ignore case', { detail: { filename: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } }, true],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, true],
  ['wildcard', { detail: { filename: [{ wildcard: 'f*.p?g' }] } }, false],
  ['wildcard star', { detail: { filename: [{ wildcard: 'f*.png' }] } }, true],
  ['anything-but value', { detail: { state: [{ 'anything-but': 'running' }] } }, true],
  ['anything-but list', { detail: { state: [{ 'anything-but': ['running', 'terminated'] }] } }, false],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
  ['anything-but suffix', { detail: { filename: [{ 'anything-but': { suffix: '.txt' } }] } }, true],
  [
    'anything-but ignore case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } },
    false,
  ],
  ['anything-but wildcard', { detail: { filename: [{ 'anything-but': { wildcard: '*.png' } }] } }, false],
  ['anything-but on a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  ['numeric range', { detail: { price: [{ numeric: ['>', 0, '<=', 100.5] }] } }, true],
  ['numeric equals', { detail: { count: [{ numeric: ['=', 5] }] } }, true],
  ['numeric on a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  ['exists true', { detail: { 'instance-id': [{ exists: true }] } }, true],
  ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
  ['exists true on an object', { detail: { nested: [{ exists: true }] } }, false],
  ['cidr ipv4', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr ipv4 outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  ['cidr ipv6', { detail: { 'source-ipv6': [{ cidr: '2001:db8::/32' }] } }, true],
  ['$or', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['terminated'] } }] }, true],
  ['$or none', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['running'] } }] }, false],
  ['all fields must match', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
  ['nested array of objects, one element', { detail: { nested: { list: { a: [1], b: ['x'] } } } }, true],
  ['nested array of objects, keys across elements', { detail: { nested: { list: { a: [1], b: ['y'] } } } }, false],
  ['a missing field', { detail: { missing: ['x'] } }, false],
];

test.each(cases)('%s', (_name, pattern, expected) => {
  expect(matches(parsePattern(JSON.stringify(pattern)), event as never)).toBe(expected);
});

test('explain names the first field that failed', () => {
  expect(explain(parsePattern('{"source":["aws.ec2"],"detail":{"state":["running"]}}'), event as never)).toBe(
    'detail.state',
  );
  expect(explain(parsePattern('{"source":["aws.ec2"]}'), event as never)).toBeUndefined();
});

test.each([
  ['not JSON', '{', /^Event pattern is not valid\. Reason: Filter is not valid JSON/],
  ['not an object', '["a"]', 'Event pattern is not valid. Reason: Filter is not an object'],
  [
    'a bare value',
    '{"source":"aws.ec2"}',
    "Event pattern is not valid. Reason: 'source' must be an object or an array",
  ],
  ['an empty array', '{"source":[]}', 'Event pattern is not valid. Reason: Empty arrays are not allowed at source'],
  [
    'an unknown operator',
    '{"source":[{"bogus":"x"}]}',
    'Event pattern is not valid. Reason: Unrecognized match type bogus',
  ],
  [
    'numeric bounds',
    '{"a":[{"numeric":[">",5,"<",1]}]}',
    'Event pattern is not valid. Reason: Bottom must be less than top',
  ],
  [
    'exists',
    '{"a":[{"exists":"yes"}]}',
    'Event pattern is not valid. Reason: exists match pattern must be either true or false.',
  ],
  ['cidr', '{"a":[{"cidr":"10.0.0.0"}]}', "Event pattern is not valid. Reason: Malformed CIDR, one '/' required"],
  [
    '$or of one',
    '{"$or":[{"a":["x"]}]}',
    'Event pattern is not valid. Reason: $or must be an array of at least two objects',
  ],
])('invalid: %s', (_name, text, message) => {
  expect(() => parsePattern(text)).toThrow(PatternError);
  expect(() => parsePattern(text)).toThrow(message);
});
