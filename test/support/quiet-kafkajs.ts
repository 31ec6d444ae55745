// kafkajs 2.2.4 arms timers with negative delays on Node ≥ 24 (TimeoutNegativeWarning): harmless noise.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') console.warn(warning);
});
