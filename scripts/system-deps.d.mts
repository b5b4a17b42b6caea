// Types of scripts/system-deps.mjs for the TypeScript tests that import it.
export declare const PYTHON: "/usr/bin/python3";
export declare const REDIS_SERVER: "redis-server";
export interface SystemPackage {
  readonly name: string;
  readonly command?: string;
  readonly pythonModule?: string;
  readonly usedBy: string;
}
export declare const SYSTEM_PACKAGES: readonly SystemPackage[];
export declare const ASSUME_MISSING_ENV: "RELAY_CONTRACT_ASSUME_MISSING";
export declare function onPath(command: string, pathEnv: string): boolean;
export declare function missingPackages(options?: { env?: NodeJS.ProcessEnv; python?: string }): string[];
export declare function installCommand(names: readonly string[]): string;
