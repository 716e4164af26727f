// Runs kinesis-local (kinesis-mock, spec/services.md) for the tests and exits when its standard
// input closes, so a test process that dies never leaves a server behind.
// Usage: node kinesis_local.js <path to kinesis-local/main.js>; ports and settings from the environment.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
require(process.argv[2]);
