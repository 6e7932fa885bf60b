"""Everything that talks to the world: the seams (protocols) and their implementations.

OSS objects and results, the OCR API client, MNS, trigger events, the retry loop, logging.
"""
