import { it } from 'vitest';
import { checkCompatibility } from './compatibility.js';
it('dbg', () => {
  const prev = {"anyOf":[{"format":"date","items":false,"properties":{"a":{}},"additionalProperties":{"type":"string"}},{"type":"boolean"}]};
  const next = {"anyOf":[{"format":"date","items":false,"properties":{"a":{}},"additionalProperties":{"type":"string"}},{}]};
  console.log(JSON.stringify(checkCompatibility('FORWARD', [{version:'1',schema:prev}], {version:'2',schema:next}), null, 1));
  console.log(JSON.stringify(checkCompatibility('FORWARD', [{version:'1',schema:{anyOf:[{format:'date'},{type:'boolean'}]}}], {version:'2',schema:{anyOf:[{format:'date'},{}]}}), null, 1));
});
