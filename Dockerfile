# syntax=docker/dockerfile:1
# One image for all five services, the staff console and the demo's payer simulator; SERVICE (intake | insurance |
# scheduling | attendance | aftercare | console | payer-simulator) picks the one
# that runs, so the image is built once and each container sets SERVICE:
#   docker build -t iop-platform .
#   docker run -e SERVICE=intake -e PORT=3001 ... iop-platform
# `--build-arg SERVICE=intake` only changes the default. The container listens on PORT (3000 unless set).
#
# Keep npm as the base image ships it (npm 10): package-lock.json omits other platforms' optional binaries,
# which npm 10's `npm ci` accepts.

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only; install scripts are not needed to run the compiled services.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Compile every service (tsc + tsc-alias) into dist/apps/<service>/apps/<service>/src/main.js.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build --projects=intake,insurance,scheduling,attendance,aftercare,payer-simulator,console --outputStyle=static
# The staff console: its built app (dist/apps/console) and its server compiled like the services (run with SERVICE=console).
RUN npx nx run console:build-server --outputStyle=static

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=scheduling
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only to the service's user: a compromised process cannot rewrite its own code.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node becomes PID 1 and gets SIGTERM itself, so Nest's shutdown hooks stop the relay and consumer cleanly.
# SERVICE=console runs the staff console's server (static app and same-origin proxy) instead of a service.
CMD ["sh", "-c", "if [ \"$SERVICE\" = console ]; then exec node dist/apps/console-server/apps/console/server.js; fi; exec node \"dist/apps/${SERVICE}/apps/${SERVICE}/src/main.js\""]
