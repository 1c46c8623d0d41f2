#!/usr/bin/env node
// The `motion` CLI. Workspace packages ship TypeScript source, so register tsx first.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
