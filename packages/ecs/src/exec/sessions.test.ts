import { splitCommand } from './sessions';

test.each([
  ['/bin/sh', ['/bin/sh']],
  ['ls -la  /tmp', ['ls', '-la', '/tmp']],
  [`/bin/sh -c 'echo "hi there"'`, ['/bin/sh', '-c', 'echo "hi there"']],
  [`echo "a \\"b\\"" c\\ d`, ['echo', 'a "b"', 'c d']],
  [`printf ''`, ['printf', '']],
])('splits %s as a shell would', (command, words) => {
  expect(splitCommand(command)).toEqual(words);
});
