// Builds the offline test images once per run when a container engine is reachable.
module.exports = async () => {
  const { dockerAvailable, ensureTestImages } = require('@dockside/testing');
  if (await dockerAvailable()) await ensureTestImages();
  else if (process.env.CI)
    throw new Error('CI needs a Docker engine: none answered on DOCKER_HOST or /var/run/docker.sock');
};
