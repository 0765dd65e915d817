"""Citizens' pages: the access-request form and the requester's download link."""
