// The edge entry's types.
import { init, sign } from 'videosdk-token/edge';

const api = await init(new Uint8Array(0));
const token: string = sign({ apikey: 'k', permissions: ['ask_join'] }, 's', { expiresIn: '1h' });
void [api.decode(token), token];
