// Product pictures for the seeded catalog. EverShop's seed downloads its demo
// photos from GitHub, which a loopback-only run cannot reach; each product gets
// a generated PNG instead (a colour per SKU), so its pages still carry real
// image requests that must come back stale.
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

const SIZE = 320;

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A SIZE×SIZE RGB PNG: a colour derived from `seed` with a lighter diagonal band. */
export function productPng(seed) {
  const [r, g, b] = createHash("sha256").update(seed).digest();
  const rows = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 3); // filter byte 0, then RGB
    for (let x = 0; x < SIZE; x++) {
      const band = Math.abs(x - y) < SIZE / 8;
      row[1 + x * 3] = band ? 255 - (255 - r) / 3 : r;
      row[2 + x * 3] = band ? 255 - (255 - g) / 3 : g;
      row[3 + x * 3] = band ? 255 - (255 - b) / 3 : b;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
