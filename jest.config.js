/**
 * Jest projects: `unit` (fast, no n8n), `e2e` (a real n8n 2.x and the Mando emulator),
 * `reliability` (`npm run test:reliability`: Mando's retry schedule, restarts, queue mode, fuzzing)
 * and `compat` (`npm run test:compat`: the installed package on each n8n version of the matrix).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
/** Node's environment, plus removal of the harness's temporary folders when a suite passes. */
const harnessEnvironment = '<rootDir>/test/harness/environment.js';

module.exports = {
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			roots: ['<rootDir>/test/unit'],
			testMatch: ['**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'e2e',
			testEnvironment: harnessEnvironment,
			roots: ['<rootDir>/test/e2e'],
			testMatch: ['**/*.e2e.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'reliability',
			testEnvironment: harnessEnvironment,
			roots: ['<rootDir>/test/reliability'],
			testMatch: ['**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'compat',
			testEnvironment: harnessEnvironment,
			roots: ['<rootDir>/test/compat'],
			testMatch: ['**/*.compat.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
	],
};
