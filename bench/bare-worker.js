// The baseline every benchmark is compared with: a worker that only forwards
// the request to the origin and returns its answer.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN_URL + url.pathname + url.search, request);
  },
};
