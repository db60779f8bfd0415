"""The registry: models, versions, owners, risk tiers, lifecycle, approvals, deployments,
incidents and the hash-chained trail. Depends on no other Warden app."""
