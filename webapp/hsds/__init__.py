"""The provider directory in Open Referral's Human Services Data Specification (HSDS 3.0).

Providers are HSDS organizations; their services are HSDS services; a provider's phone and address
become the organization's phone and physical location; a service's category is an attribute
pointing at a taxonomy term of Waymark's categories; its area is a service area. Files are the
HSDS JSON form (a page of organizations with everything nested) or the tabular form (one CSV per
table, in a zip). Imports match records by their HSDS id, create or update, never delete, and
apply only when every record in the file passes.
"""
