export { sharedCounter } from '@renkei/platform';
