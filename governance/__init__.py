"""The registry: models, versions, owners, risk tiers, lifecycle, approvals, deployments,
incidents and the hash-chained trail. Depends on no other Warden app; its pages (views/) show
its own records only, and page_plumbing holds what every app's pages share."""
