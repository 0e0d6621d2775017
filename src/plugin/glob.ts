// Which emitted files an asset rule converts: globs or RegExps over the file's
// path in the output directory ('/'-separated), as bundlers name their assets.
export type Pattern = string | RegExp;

export function fileMatcher(include: Pattern | Pattern[], exclude: Pattern | Pattern[] = []): (file: string) => boolean {
  const inc = [include].flat().map(toRegExp);
  const exc = [exclude].flat().map(toRegExp);
  return (file) => inc.some((r) => r.test(file)) && !exc.some((r) => r.test(file));
}

/** `**` crosses directories, `*` and `?` stay within one; everything else is literal. */
function toRegExp(p: Pattern): RegExp {
  if (p instanceof RegExp) return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      i++;
      if (p[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
