/* Copies the non-TypeScript assets (icons, codex and schema JSON) next to the compiled nodes in dist/. */
const path = require('path');
const { task, src, dest } = require('gulp');

function copyAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg,json}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist')));
}

task('build:assets', copyAssets);
