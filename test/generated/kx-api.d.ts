export interface paths {
    "/data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Unified listings: filter, sort, cursor or page pagination */
        get: operations["listListings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/assets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One row per coin across its sources: consensus price, spread between sources, market cap */
        get: operations["listAssets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/assets/{id}/quotes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One coin's history: its observations per source, or per UTC hour, day or week the open, high, low and close */
        get: operations["getAssetQuotes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/assets/{id}/divergence": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where a coin's sources disagree: per UTC hour, day or week the lowest and highest close and their distance */
        get: operations["getAssetDivergence"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/assets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One asset with its per-source listings and match provenance */
        get: operations["getAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Run history, newest first */
        get: operations["listRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Anomalies between two runs of a source */
        get: operations["compareRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run with its attempts, errors and warnings */
        get: operations["getRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{id}/rejected": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A run's rejected records: where each was, which field, why, and the record */
        get: operations["listRunRejected"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Database reachability and latency, driver, last run per source (503 when the database is down) */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per source: runs, records, durations, last success and failure */
        get: operations["getStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The dashboard: sources, runs, assets and prices at a glance (no data in the page itself) */
        get: operations["getDashboard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ui/{version}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The dashboard's script, styles and chart library (app.js, app.css, uplot.js, uplot.css) */
        get: operations["getDashboardFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Human-readable API documentation */
        get: operations["getDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listListings: {
        parameters: {
            query?: {
                /** @description only listings of this source */
                source?: "coingecko" | "coinpaprika" | "csv";
                /** @description exact symbol, case-insensitive */
                symbol?: string;
                /** @description only listings of this asset */
                asset_id?: string;
                /** @description name or symbol prefix, case-insensitive */
                q?: string;
                /** @description only listings observed at or after this time (ISO 8601) */
                updated_since?: string;
                /** @description order; `-` for descending; missing values last; default `id` (source, source_id) */
                sort?: "id" | "symbol" | "-symbol" | "rank" | "market_cap_usd" | "-market_cap_usd" | "price_usd" | "-price_usd" | "observed_at" | "-observed_at";
                /** @description rows per page, 1–500, default 50 */
                limit?: string;
                /** @description opaque keyset cursor: `pagination.next_cursor` of the previous page */
                cursor?: string;
                /** @description 1-based page number (instead of cursor) */
                page?: string;
                /** @description `json` (default: the paged API), or an export of every matching row streamed as `csv` or `ndjson` (also by `Accept: text/csv` or `application/x-ndjson`); an export takes no limit, cursor or page */
                format?: "json" | "csv" | "ndjson";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @example coingecko */
                            source: string;
                            /** @example bitcoin */
                            source_id: string;
                            asset_id: number;
                            /** @example BTC */
                            symbol: string;
                            name: string | null;
                            rank: number | null;
                            price_usd: string | null;
                            market_cap_usd: string | null;
                            volume_24h_usd: string | null;
                            circulating_supply: string | null;
                            total_supply: string | null;
                            max_supply: string | null;
                            percent_change_24h: string | null;
                            /**
                             * @description ISO 8601 UTC timestamp
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            observed_at: string;
                            match: {
                                method: string;
                                confidence: number;
                            };
                        }[];
                        pagination: {
                            /** @constant */
                            mode: "cursor";
                            limit: number;
                            next_cursor: string | null;
                            has_more: boolean;
                        } | {
                            /** @constant */
                            mode: "page";
                            limit: number;
                            page: number;
                            total: number;
                            pages: number;
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    listAssets: {
        parameters: {
            query?: {
                /** @description name or symbol prefix, case-insensitive */
                q?: string;
                /** @description exact symbol, case-insensitive */
                symbol?: string;
                /** @description only coins this source lists */
                source?: "coingecko" | "coinpaprika" | "csv";
                /** @description only coins listed by at least this many sources */
                min_sources?: string;
                /** @description a listing's price counts toward the consensus if observed this close to the coin's newest observation (30m, 1h, 2d); default 1h */
                fresh_within?: string;
                /** @description order; `-` for descending; missing values last; default `-market_cap_usd` */
                sort?: "symbol" | "-symbol" | "rank" | "-rank" | "market_cap_usd" | "-market_cap_usd" | "price_usd" | "-price_usd" | "spread" | "-spread";
                /** @description rows per page, 1–500, default 50 */
                limit?: string;
                /** @description opaque keyset cursor: `pagination.next_cursor` of the previous page */
                cursor?: string;
                /** @description `json` (default: the paged API), or an export of every matching row streamed as `csv` or `ndjson` (also by `Accept: text/csv` or `application/x-ndjson`); an export takes no limit, cursor or page */
                format?: "json" | "csv" | "ndjson";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            /** @example BTC */
                            symbol: string;
                            name: string | null;
                            slug: string | null;
                            /**
                             * @description the sources that list the coin
                             * @example [
                             *       "coingecko",
                             *       "coinpaprika",
                             *       "csv"
                             *     ]
                             */
                            sources: string[];
                            /** @description its listings; two CSV files make two */
                            listings: number;
                            /** @description consensus: the median of the fresh listings' latest prices */
                            price_usd: string | null;
                            /** @description how many prices the consensus took */
                            prices: number;
                            /** @description (max − min) / median of those prices, to 8 places; null below two */
                            spread: string | null;
                            /**
                             * @description the newest observation of any listing
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            observed_at: string;
                            /** @description from the most recently observed listing that has one */
                            market_cap_usd: string | null;
                            rank: number | null;
                        }[];
                        pagination: {
                            limit: number;
                            next_cursor: string | null;
                            has_more: boolean;
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getAssetQuotes: {
        parameters: {
            query?: {
                /** @description from this time (ISO 8601); default 30 days before `to` */
                from?: string;
                /** @description until this time, exclusive (ISO 8601); default now */
                to?: string;
                /** @description only these sources, comma-separated; default all. `consensus` (with an interval) adds the per-bucket median close across sources */
                source?: string;
                /** @description raw observations, or per source and UTC hour, day or week: open, high, low, close */
                interval?: "raw" | "1h" | "1d" | "1w";
                /** @description rows per page, 1–5000, default 1000 */
                limit?: string;
                /** @description raw rows: `pagination.next_cursor` of the previous page */
                cursor?: string;
                /** @description `json` (default: the paged API), or an export of every matching row streamed as `csv` or `ndjson` (also by `Accept: text/csv` or `application/x-ndjson`); an export takes no limit, cursor or page */
                format?: "json" | "csv" | "ndjson";
            };
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            source: string;
                            source_id: string;
                            /**
                             * @description ISO 8601 UTC timestamp
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            observed_at: string;
                            price_usd: string | null;
                            market_cap_usd: string | null;
                            volume_24h_usd: string | null;
                        }[] | {
                            source: string;
                            /**
                             * @description start of the UTC hour, day or week (Monday)
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            bucket: string;
                            open: string | null;
                            high: string | null;
                            low: string | null;
                            close: string | null;
                            market_cap_usd: string | null;
                            volume_24h_usd: string | null;
                            observations: number;
                        }[];
                        pagination: {
                            limit: number;
                            next_cursor: string | null;
                            has_more: boolean;
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description No such item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getAssetDivergence: {
        parameters: {
            query?: {
                /** @description from this time (ISO 8601); default 30 days before `to` */
                from?: string;
                /** @description until this time, exclusive (ISO 8601); default now */
                to?: string;
                /** @description compare only these sources, comma-separated; default all */
                source?: string;
                /** @description the UTC bucket whose closes are compared; default 1d */
                interval?: "1h" | "1d" | "1w";
                /** @description only buckets with closes from at least this many sources; default 2 */
                min_sources?: string;
                /** @description `time` (default) or `divergence`: the largest disagreement first */
                order?: "time" | "divergence";
                /** @description buckets, 1–5000, default 1000 */
                limit?: string;
            };
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /**
                             * @description start of the UTC hour, day or week (Monday)
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            bucket: string;
                            /** @description sources with a close in the bucket */
                            sources: number;
                            low: string | null;
                            low_source: string | null;
                            high: string | null;
                            high_source: string | null;
                            /** @description the median of the sources' closes */
                            median: string | null;
                            /** @description (high − low) / median, to 8 places; null with fewer than two sources */
                            divergence: string | null;
                        }[];
                        pagination: {
                            limit: number;
                            next_cursor: string | null;
                            has_more: boolean;
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description No such item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            symbol: string;
                            name: string | null;
                            slug: string | null;
                            listings: {
                                /** @example coingecko */
                                source: string;
                                /** @example bitcoin */
                                source_id: string;
                                asset_id: number;
                                /** @example BTC */
                                symbol: string;
                                name: string | null;
                                rank: number | null;
                                price_usd: string | null;
                                market_cap_usd: string | null;
                                volume_24h_usd: string | null;
                                circulating_supply: string | null;
                                total_supply: string | null;
                                max_supply: string | null;
                                percent_change_24h: string | null;
                                /**
                                 * @description ISO 8601 UTC timestamp
                                 * @example 2025-02-09T17:44:04.143Z
                                 */
                                observed_at: string;
                                match: {
                                    method: string;
                                    confidence: number;
                                };
                            }[];
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description No such item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    listRuns: {
        parameters: {
            query?: {
                /** @description runs to return, newest first, default 20 */
                limit?: string;
                /** @description only runs of this source */
                source?: "coingecko" | "coinpaprika" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            /** @enum {string} */
                            status: "running" | "succeeded" | "failed" | "abandoned";
                            trigger: string;
                            attempts: number;
                            resumable: boolean;
                            fetched: number;
                            loaded: number;
                            unchanged: number;
                            rejected: number;
                            error: {
                                code: string;
                                message: string | null;
                            } | null;
                            warnings: string[];
                            params: {
                                [key: string]: unknown;
                            };
                            /**
                             * @description ISO 8601 UTC timestamp
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            started_at: string;
                            finished_at: string | null;
                            source: string;
                            /** @description the stream the run read: a CSV file's real path, `markets` (CoinGecko), `tickers` (CoinPaprika); runs of one stream continue each other's checkpoints */
                            stream_key: string;
                        }[];
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    compareRuns: {
        parameters: {
            query: {
                /** @description the earlier run id */
                a: string;
                /** @description the later run id */
                b: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            source: string;
                            a: {
                                id: number;
                                status: string;
                                fetched: number;
                                loaded: number;
                                unchanged: number;
                                rejected: number;
                                /** @description the run whose checkpoint this run read on from (a CSV file's appended lines); null when it read from the start */
                                continues_run_id: number | null;
                                /** @description what its stream held as of this run, which the comparison compares: the runs that read it (this run and those it read on from, back to `first_run_id`, which read it from the start) and their records */
                                stream: {
                                    runs: number;
                                    first_run_id: number;
                                    fetched: number;
                                    rejected: number;
                                };
                            };
                            b: {
                                id: number;
                                status: string;
                                fetched: number;
                                loaded: number;
                                unchanged: number;
                                rejected: number;
                                /** @description the run whose checkpoint this run read on from (a CSV file's appended lines); null when it read from the start */
                                continues_run_id: number | null;
                                /** @description what its stream held as of this run, which the comparison compares: the runs that read it (this run and those it read on from, back to `first_run_id`, which read it from the start) and their records */
                                stream: {
                                    runs: number;
                                    first_run_id: number;
                                    fetched: number;
                                    rejected: number;
                                };
                            };
                            anomalies: {
                                /** @enum {string} */
                                kind: "record_count_drop" | "rejected_share_jump" | "coins_vanished" | "coins_appeared" | "price_move";
                                message: string;
                                details: {
                                    [key: string]: unknown;
                                };
                            }[];
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            /** @enum {string} */
                            status: "running" | "succeeded" | "failed" | "abandoned";
                            trigger: string;
                            attempts: number;
                            resumable: boolean;
                            fetched: number;
                            loaded: number;
                            unchanged: number;
                            rejected: number;
                            error: {
                                code: string;
                                message: string | null;
                            } | null;
                            warnings: string[];
                            params: {
                                [key: string]: unknown;
                            };
                            /**
                             * @description ISO 8601 UTC timestamp
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            started_at: string;
                            finished_at: string | null;
                            source: string;
                            /** @description the stream the run read: a CSV file's real path, `markets` (CoinGecko), `tickers` (CoinPaprika); runs of one stream continue each other's checkpoints */
                            stream_key: string;
                            mapping: unknown;
                            attempts_detail: {
                                attempt: number;
                                trigger: string;
                                status: string;
                                records: number;
                                error: {
                                    code: string;
                                    message: string | null;
                                } | null;
                                /**
                                 * @description ISO 8601 UTC timestamp
                                 * @example 2025-02-09T17:44:04.143Z
                                 */
                                started_at: string;
                                finished_at: string | null;
                            }[];
                            /** @description the first 20 rejected records: where, which field, why */
                            rejected_sample: {
                                /** @description where the record was: `{ file, line }` in a CSV file, `{ page, index }` or `{ ordinal }` in an answer */
                                locator: {
                                    [key: string]: string | number;
                                };
                                source_id: string | null;
                                field: string | null;
                                reason: string;
                            }[];
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description No such item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    listRunRejected: {
        parameters: {
            query?: {
                /** @description records per page, 1–1000, default 100 */
                limit?: string;
                /** @description opaque keyset cursor: `pagination.next_cursor` of the previous page */
                cursor?: string;
                /** @description `json` (default: the paged API), or an export of every matching row streamed as `csv` or `ndjson` (also by `Accept: text/csv` or `application/x-ndjson`); an export takes no limit, cursor or page */
                format?: "json" | "csv" | "ndjson";
            };
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: number;
                            run_id: number;
                            source: string;
                            /** @description where the record was: `{ file, line }` in a CSV file, `{ page, index }` or `{ ordinal }` in an answer */
                            locator: {
                                [key: string]: string | number;
                            };
                            source_id: string | null;
                            field: string | null;
                            reason: string;
                            /**
                             * @description ISO 8601 UTC timestamp
                             * @example 2025-02-09T17:44:04.143Z
                             */
                            rejected_at: string;
                            /** @description the record as its source gave it, numbers exact: a CSV row by its header, an API item */
                            record: unknown;
                        }[];
                        pagination: {
                            /** @constant */
                            mode: "cursor";
                            limit: number;
                            next_cursor: string | null;
                            has_more: boolean;
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description No such item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "unavailable";
                        database: {
                            reachable: boolean;
                            driver?: string;
                            latency_ms?: number;
                        };
                        last_runs?: {
                            [key: string]: {
                                id: number;
                                status: string;
                                /**
                                 * @description ISO 8601 UTC timestamp
                                 * @example 2025-02-09T17:44:04.143Z
                                 */
                                started_at: string;
                                finished_at: string | null;
                            } | null;
                        };
                        version?: string;
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            database: {
                                driver: string;
                                location: string;
                            };
                            assets: number;
                            assets_by_source_count: {
                                [key: string]: number;
                            };
                            sources: {
                                source: string;
                                runs: {
                                    total: number;
                                    succeeded: number;
                                    failed: number;
                                    running: number;
                                };
                                records: {
                                    fetched: number;
                                    loaded: number;
                                    unchanged: number;
                                    rejected: number;
                                };
                                durations: {
                                    last_ms: number | null;
                                    avg_ms: number | null;
                                    max_ms: number | null;
                                };
                                last_run: {
                                    id: number;
                                    /** @enum {string} */
                                    status: "running" | "succeeded" | "failed" | "abandoned";
                                    trigger: string;
                                    attempts: number;
                                    resumable: boolean;
                                    fetched: number;
                                    loaded: number;
                                    unchanged: number;
                                    rejected: number;
                                    error: {
                                        code: string;
                                        message: string | null;
                                    } | null;
                                    warnings: string[];
                                    params: {
                                        [key: string]: unknown;
                                    };
                                    /**
                                     * @description ISO 8601 UTC timestamp
                                     * @example 2025-02-09T17:44:04.143Z
                                     */
                                    started_at: string;
                                    finished_at: string | null;
                                } | null;
                                last_success_at: string | null;
                                last_failure_at: string | null;
                                resumable_runs: number[];
                                checkpoints: {
                                    stream: string;
                                    run_id: number;
                                    /** @description the records the cursor covers: read by the run that wrote it and those it read on from */
                                    records: number;
                                    /**
                                     * @description ISO 8601 UTC timestamp
                                     * @example 2025-02-09T17:44:04.143Z
                                     */
                                    updated_at: string;
                                    cursor: {
                                        [key: string]: unknown;
                                    };
                                }[];
                                listings: number;
                                quotes: number;
                                calls: {
                                    month: string;
                                    used: number;
                                    budget: number | null;
                                };
                                /** @description under `kx serve --schedule`: the interval and the next tick (null while running) */
                                schedule: {
                                    every_ms: number;
                                    next_at: string | null;
                                } | null;
                            }[];
                        };
                        meta: {
                            request_id: string;
                            api_latency_ms: number;
                        };
                    };
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getDashboard: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getDashboardFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                version: string;
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description No such item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
    getDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description A bad parameter, named */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description Missing or wrong bearer token (when KX_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
            /** @description The database is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            message: string;
                        };
                        meta: {
                            request_id?: string;
                        };
                    };
                };
            };
        };
    };
}
