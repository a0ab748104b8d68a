# position-ledger: the HTTP API and the CLI as compiled JavaScript, for `docker compose up` beside KurrentDB.
# Node 20 as in package.json's engines. The build stage compiles (npm run build: esbuild, see
# scripts/build.ts); the runtime stage has only production dependencies and dist/: no tsx, no esbuild.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles when no prebuilt binary can be fetched: give it python3, make and g++ here only.
RUN apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# then only what runs: the dev dependencies (tsx, esbuild, jest …) leave
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_SQLITE_PATH=/data/ledger.db \
    LEDGER_SEED_DIR=/app/events \
    LEDGER_SOURCES_DIR=/app/sources
# tini as PID 1: it reaps zombies and hands SIGTERM/SIGINT (docker stop, Ctrl-C) to node, which stops gracefully within 5 s
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY events ./events
COPY sources ./sources
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself under tini, running the compiled CLI: `docker run IMAGE` serves, `docker run IMAGE verify` (any command) runs the CLI
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/cli/main.js"]
CMD ["serve"]
