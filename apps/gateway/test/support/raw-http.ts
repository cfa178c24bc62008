// Sends a request byte for byte over a loopback socket, for the requests an HTTP client library would refuse
// or "fix" (dot segments, encoded slashes, duplicate headers, control bytes), and parses the answer.
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ', '. */
  readonly headers: Record<string, string>;
  readonly rawHead: string;
  readonly body: string;
}

export function rawRequest(
  baseUrl: string,
  request: string | Buffer,
  timeoutMs = 5000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split === -1) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const head = text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        rawHead: head,
        body: Buffer.from(text.slice(split + 4), 'latin1').toString('utf8'),
      });
    });
    socket.write(request);
  });
}

/** A GET with `Connection: close`, any target, any extra header lines. */
export function rawGet(
  baseUrl: string,
  target: string,
  headerLines: readonly string[] = [],
): Promise<RawResponse> {
  const { host } = new URL(baseUrl);
  return rawRequest(
    baseUrl,
    Buffer.from(
      [`GET ${target} HTTP/1.1`, `Host: ${host}`, ...headerLines, 'Connection: close', '', ''].join('\r\n'),
      'latin1',
    ),
  );
}
