// Zip archives written byte by byte (PKWARE APPNOTE 6.3.x §4.3: local file headers, central
// directory, end of central directory), so a test can declare sizes and CRCs that do not match the
// data: the hostile uploads a pack verifier must refuse. No zip64, no data descriptors.
import zlib from 'node:zlib';

export interface HandmadeEntry {
  name: string;
  /** The bytes stored in the archive (already deflated when method is 8). */
  stored: Buffer;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  crc32: number;
  /** What the headers claim the entry inflates to. */
  declaredSize: number;
}

/** An honest deflated entry. */
export function deflated(name: string, content: Buffer | string): HandmadeEntry {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { name, stored: zlib.deflateRawSync(data, { level: 9 }), method: 8, crc32: zlib.crc32(data), declaredSize: data.length };
}

export function handmadeZip(entries: HandmadeEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(e.crc32 >>> 0, 14);
    local.writeUInt32LE(e.stored.length, 18);
    local.writeUInt32LE(e.declaredSize >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, e.stored);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(e.crc32 >>> 0, 16);
    central.writeUInt32LE(e.stored.length, 20);
    central.writeUInt32LE(e.declaredSize >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal and external attributes: 0
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + e.stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
