/** The API package version reported by `health` (kept equal to package.json by a test). */
export const API_VERSION = "0.1.0";
