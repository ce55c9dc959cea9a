// Every route says what it sends, or the app does not start: a response schema (which is also what
// it sends: a field the schema does not declare is dropped, input.ts), or `config.sendsFile` for a
// file (a PDF, a zip, a CSV, the client's built files, the Prometheus text of /metrics). A WebSocket
// route (`websocket: true`, the SIP transport) answers by upgrading the connection and sends no HTTP
// body of its own. Installed once on the app (server/app.ts, before any route), so every scope
// registered in it inherits the one hook: the zod scopes, the attempt scope, plugins of their own
// and routes straight on the app; a scope built on an app without it (registerAttemptScope on a bare
// Fastify) installs it for itself.
//
// The check runs when the app is made ready, not as each route is added: a plugin may complete a
// route's declaration in an onRoute hook of its own, which runs after the inherited ones (the
// client's files, served by @fastify/static, are declared that way in app.ts).
import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The content type of the file a route sends instead of JSON (a print-out's PDF, a moderation
     * pack, the waveform peaks as bytes; a media range such as `*\/*` for files of several types).
     * With a response schema beside it, the route sends JSON or the file (e.g. by a query parameter).
     */
    sendsFile?: string;
  }
}

const INSTALLED = 'responseDeclarationsChecked';

/** Why `route` may not be served: it declares no response schema and sends no file; undefined when it does. */
function undeclared(route: RouteOptions, where: string): string | undefined {
  if (route.schema?.response !== undefined || route.config?.sendsFile !== undefined || route.websocket === true) return undefined;
  const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
  return `route ${methods} ${route.url}${where} declares no response schema (config.sendsFile for a file)`;
}

/**
 * Makes `app` (and every scope registered in it afterwards) refuse to start while a route declares
 * neither a response schema nor `config.sendsFile`; the error names each such route. `where` says
 * which scope in the message (' of the attempt scope'). Does nothing where an enclosing scope
 * already installed it.
 */
export function requireResponseDeclarations(app: FastifyInstance, where = ''): void {
  // A decorator is seen by every scope registered below the one it is set on: it marks the check as installed.
  if (app.hasDecorator(INSTALLED)) return;
  app.decorate(INSTALLED, true);
  const routes: RouteOptions[] = [];
  // The route's options as the hooks leave them: read when the app is made ready.
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const problems = routes.splice(0).flatMap((route) => undeclared(route, where) ?? []);
    if (problems.length > 0) throw new Error(problems.join('; '));
  });
}
