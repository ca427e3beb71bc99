/**
 * The pause process of awsvpc tasks, built without downloading anything: a 129-byte static
 * x86-64 Linux executable that loops on the `pause` system call (and, for arm64, one that loops
 * on `ppoll` with no descriptors), packed in a one-file tar for `docker import`.
 */

function elf(machine: number, code: number[]): Buffer {
  const base = 0x400000;
  const headerSize = 64 + 56;
  const size = headerSize + code.length;
  const b = Buffer.alloc(size);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b[6] = 1; // ELF version
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(base + headerSize), 24); // entry
  b.writeBigUInt64LE(64n, 32); // program headers right after this header
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56);
  // One PT_LOAD segment mapping the whole file, readable and executable.
  b.writeUInt32LE(1, 64);
  b.writeUInt32LE(5, 68);
  b.writeBigUInt64LE(0n, 72);
  b.writeBigUInt64LE(BigInt(base), 80);
  b.writeBigUInt64LE(BigInt(base), 88);
  b.writeBigUInt64LE(BigInt(size), 96);
  b.writeBigUInt64LE(BigInt(size), 104);
  b.writeBigUInt64LE(0x1000n, 112);
  Buffer.from(code).copy(b, headerSize);
  return b;
}

/** x86-64: `1: mov eax, 34 (pause); syscall; jmp 1b`. */
const X86_64 = () => elf(0x3e, [0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]);

/** arm64: `1: mov x0..x3, #0; mov x8, #73 (ppoll); svc #0; b 1b`. */
const ARM64 = () =>
  elf(
    0xb7,
    [0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa].flatMap((w) => [
      w & 0xff,
      (w >> 8) & 0xff,
      (w >> 16) & 0xff,
      (w >>> 24) & 0xff,
    ]),
  );

export function pauseBinary(arch: string = process.arch): Buffer {
  return arch === 'arm64' ? ARM64() : X86_64();
}

/** A ustar archive holding one executable file. */
export function tarOneFile(name: string, data: Buffer, mode = 0o755): Buffer {
  const header = Buffer.alloc(512);
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  header.write(name, 0, 'utf8');
  header.write(octal(mode, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(data.length, 12), 124);
  header.write(octal(0, 12), 136);
  header.write('        ', 148); // checksum placeholder: spaces while summing
  header.write('0', 156);
  header.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 'latin1');
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

export const pauseTarball = () => tarOneFile('pause', pauseBinary());
