// Owns the shop's listening socket so "down" can be a real outage
// (connection refused) and "up" can come back on the same port.
import http from "node:http";

export function createShopListener({ host, port, handler }) {
  let server = null;
  let boundPort = port;
  const sockets = new Set();

  return {
    get listening() {
      return server !== null;
    },
    get port() {
      return boundPort;
    },

    async up() {
      if (server) return;
      const next = http.createServer(handler);
      next.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      await new Promise((resolve, reject) => {
        next.once("error", reject);
        // After PORT=0 the first bind picked a port; keep it so "up" restores the same address.
        next.listen(boundPort, host, () => {
          next.off("error", reject);
          resolve();
        });
      });
      boundPort = next.address().port;
      server = next;
    },

    async down() {
      if (!server) return;
      const closing = server;
      server = null;
      const closed = new Promise((resolve) => closing.close(resolve));
      // Keep-alive and in-flight sockets would otherwise keep "serving" a dead shop.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
