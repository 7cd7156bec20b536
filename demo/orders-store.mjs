// Orders and the idempotency index, persisted to one JSON file before any
// answer leaves: an order the shop confirmed must survive kill -9.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

export function openOrderStore(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "orders.json");
  const { orders, idempotency } = load(file);
  const byId = new Map(orders.map((o) => [o.orderId, o]));

  function persist() {
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      const index = Object.fromEntries(idempotency);
      writeSync(fd, JSON.stringify({ version: 1, orders, idempotency: index }, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // rename is atomic: readers and restarts see the old file or the new one, never half of one.
    renameSync(tmp, file);
  }

  function newOrderId() {
    let id;
    do id = `ORD-${randomBytes(5).toString("hex").toUpperCase()}`;
    while (byId.has(id));
    return id;
  }

  return {
    list: () => orders,
    get: (orderId) => byId.get(orderId),
    count: () => orders.length,

    /**
     * Creates the order unless the idempotency key was seen before. Node runs
     * this synchronously, so two concurrent deliveries of one key cannot both create.
     * @returns {{outcome: "created"|"replayed"|"conflict", order: object}}
     */
    place({ idempotencyKey, fingerprint, build }) {
      const seen = idempotencyKey ? idempotency.get(idempotencyKey) : undefined;
      if (seen) {
        const order = byId.get(seen.orderId);
        if (seen.fingerprint !== fingerprint) return { outcome: "conflict", order };
        order.deliveries += 1;
        order.lastDeliveryAt = new Date().toISOString();
        persist();
        return { outcome: "replayed", order };
      }
      const order = { orderId: newOrderId(), ...build(), deliveries: 1 };
      orders.push(order);
      byId.set(order.orderId, order);
      if (idempotencyKey) idempotency.set(idempotencyKey, { orderId: order.orderId, fingerprint });
      persist();
      return { outcome: "created", order };
    },

    clear() {
      orders.length = 0;
      byId.clear();
      idempotency.clear();
      persist();
    },
  };
}

function load(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return { orders: [], idempotency: new Map() };
    throw error;
  }
  // A corrupt file is an error to look at, never a reason to start with no orders.
  const data = JSON.parse(text);
  // A Map, not an object, so a client-chosen key like "__proto__" is just a key.
  return { orders: data.orders ?? [], idempotency: new Map(Object.entries(data.idempotency ?? {})) };
}
