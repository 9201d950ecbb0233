# kx: the API over the unified data, ingesting on a schedule, migrations applied on start.
# Build: docker build -t kx .
# Run:   docker run -p 8000:8000 -e KX_API_TOKEN=change-me -v kx-data:/data kx
#        (or -e DATABASE_URL=postgres://… to use a PostgreSQL server instead of /data)

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY drizzle ./drizzle
# The compiled program and dist/pglite-seed.tgz, the empty database a new /data starts from.
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KX_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY drizzle ./drizzle
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/kx.js"]
# An API that keeps itself fresh. Binding 0.0.0.0 needs KX_API_TOKEN (or
# --allow-unauthenticated): kx refuses an open API.
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--schedule", "coinpaprika=10m,coingecko=30m"]
