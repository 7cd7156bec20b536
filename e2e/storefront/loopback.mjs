// Preloaded into EverShop (node --import): EverShop listens on every interface
// and has no setting for the address, so a listen on a bare port is pinned to
// 127.0.0.1 here. The suite runs on loopback only.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === "number" && typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
  else if (args[0] && typeof args[0] === "object" && "port" in args[0] && !args[0].host) {
    args[0] = { ...args[0], host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
