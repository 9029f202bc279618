import http from 'node:http';

/**
 * TEST-ONLY: the MCP conformance suite cannot send an Authorization header, so this local proxy adds the bearer
 * token to every request and forwards everything else unchanged (including Host, so DNS-rebinding checks still
 * reach the server). It listens on 127.0.0.1 only and is never part of the product.
 */
export function startAuthProxy(target: string, token: string, port: number): Promise<http.Server> {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const upstream = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: t.pathname, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${err.message}`);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
