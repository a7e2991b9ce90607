"""Red flags: Cardinal's indicators over the platform's compiled releases, and the platform's
own indicators over what only it can see (certificates, sealed documents, timing)."""
